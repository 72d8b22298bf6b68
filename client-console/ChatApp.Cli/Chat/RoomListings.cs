using System.Globalization;
using ChatApp.Client;

namespace ChatApp.Cli.Chat;

/// <summary>What /rooms, /who and /history print.</summary>
internal sealed class RoomListings(ChatConnection connection, ChatScreen screen, FollowedRooms rooms)
{
    public async Task ShowRoomsAsync(CancellationToken cancellationToken)
    {
        var list = await HubCalls.CallAsync(ct => connection.ListRoomsAsync(ct), cancellationToken);
        await screen.WriteAsync("* rooms:", cancellationToken);
        foreach (var room in list.OrderByDescending(r => r.IsMember).ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase))
        {
            var name = room.IsDirect ? $"{room.Name} (direct with {room.DirectWith})" : room.Name;
            var state = !room.IsMember ? "not joined"
                : $"{room.Unread} unread{(room.Mentions > 0 ? $", {room.Mentions} mentioning you" : "")}";
            var current = rooms.IsCurrent(room.Name) ? " <- current" : "";
            await screen.WriteAsync($"*   {name}{(room.IsPrivate && !room.IsDirect ? " (private)" : "")}: {state}{current}", cancellationToken);
        }
    }

    public async Task ShowMembersAsync(CancellationToken cancellationToken)
    {
        if (rooms.Current is not { } room)
        {
            await screen.WriteAsync("* you are not in a room", cancellationToken);
            return;
        }

        var members = await HubCalls.CallAsync(ct => connection.GetRoomMembersAsync(room, ct), cancellationToken);
        var names = members.OrderByDescending(m => m.Online).ThenBy(m => m.UserName, StringComparer.OrdinalIgnoreCase)
            .Select(m => m.UserName + (m.Online ? " (online)" : "") + (m.IsOwner ? " (owner)" : ""));
        await screen.WriteAsync($"* in {room}: {string.Join(", ", names)}", cancellationToken);
    }

    public async Task ShowHistoryAsync(string? argument, CancellationToken cancellationToken)
    {
        if (rooms.Current is not { } room)
        {
            await screen.WriteAsync("* you are not in a room", cancellationToken);
            return;
        }

        var limit = 20;
        if (argument is not null && (!int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            await screen.WriteAsync("* /history takes a positive number of messages", cancellationToken);
            return;
        }

        var page = await HubCalls.CallAsync(ct => connection.GetHistoryAsync(room, null, limit, ct), cancellationToken);
        await screen.WriteAsync($"* last {page.Messages.Count} message(s) of {room}{(page.HasMore ? " (older ones exist)" : "")}:", cancellationToken);
        foreach (var message in page.Messages)
        {
            await screen.WriteAsync(EntryFormatter.Format(message), cancellationToken);
        }
    }
}
