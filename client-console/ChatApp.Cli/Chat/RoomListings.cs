using System.Globalization;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>What /rooms, /who and /history print.</summary>
internal sealed class RoomListings(ChatConnection connection, ChatScreen screen, FollowedRooms rooms, EntryFormatter formatter)
{
    /// <summary>Rooms you are in first, then the directory; <paramref name="filter"/> keeps names containing it.</summary>
    public async Task ShowRoomsAsync(string? filter, CancellationToken cancellationToken)
    {
        var list = await HubCalls.CallAsync(ct => connection.ListRoomsAsync(ct), cancellationToken);
        foreach (var room in list)
        {
            formatter.Learn(room);
        }

        var shown = list.Where(r => filter is null || formatter.Label(r.Name).Contains(filter, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(r => r.IsMember).ThenBy(r => formatter.Label(r.Name), NaturalOrder.Instance).ToList();
        await screen.WriteAsync(filter is null ? "* rooms:" : $"* rooms matching \"{filter}\":", cancellationToken);
        foreach (var room in shown)
        {
            await screen.WriteAsync($"*   {Describe(room)}", cancellationToken);
        }

        if (shown.Count == 0)
        {
            await screen.WriteAsync("*   (none)", cancellationToken);
        }
    }

    private string Describe(RoomInfo room)
    {
        var kind = room.IsDirect ? $" (direct with {room.DirectWith})" : room.IsPrivate ? " (private)" : "";
        var owner = room.Owner is null || room.IsDirect ? "" : $", owner {room.Owner}";
        var archived = room.IsArchived ? ", archived" : "";
        var state = !room.IsMember ? "not joined: /join " + room.Name
            : $"{room.Unread} unread{(room.Mentions > 0 ? $", {room.Mentions} mentioning you" : "")}";
        var current = rooms.IsCurrent(room.Name) ? " <- current" : "";
        var topic = room.Topic is { Length: > 0 } text ? $" - {EntryFormatter.Clean(text)}" : "";
        return $"{formatter.Label(room.Name)}{kind}: {state}{owner}{archived}{current}{topic}";
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
        await screen.WriteAsync($"* in {formatter.Label(room)}: {string.Join(", ", names)}", cancellationToken);
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
        await screen.WriteAsync($"* last {page.Messages.Count} message(s) of {formatter.Label(room)}{(page.HasMore ? " (older ones exist)" : "")}:", cancellationToken);
        foreach (var message in page.Messages)
        {
            await screen.WriteAsync(formatter.Show(message), cancellationToken);
        }
    }
}

/// <summary>
/// Names with numbers in the order people expect: sim-2 before sim-10. By hand: the process runs with invariant
/// globalization, where CompareOptions.NumericOrdering is not available.
/// </summary>
internal sealed class NaturalOrder : IComparer<string>
{
    public static readonly NaturalOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        x ??= "";
        y ??= "";
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var (a, b) = (Run(x, ref i), Run(y, ref j));
                // Longer digit runs (leading zeros aside) are bigger numbers, with no overflow on long ones.
                var order = a.TrimStart('0').Length.CompareTo(b.TrimStart('0').Length) is var byLength && byLength != 0
                    ? byLength
                    : string.CompareOrdinal(a.TrimStart('0'), b.TrimStart('0'));
                if (order != 0)
                {
                    return order;
                }
            }
            else
            {
                var order = char.ToLowerInvariant(x[i]).CompareTo(char.ToLowerInvariant(y[j]));
                if (order != 0)
                {
                    return order;
                }

                i++;
                j++;
            }
        }

        return (x.Length - i).CompareTo(y.Length - j);
    }

    private static string Run(string text, ref int at)
    {
        var start = at;
        while (at < text.Length && char.IsAsciiDigit(text[at]))
        {
            at++;
        }

        return text[start..at];
    }
}
