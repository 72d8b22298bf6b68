using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>
/// The rooms whose log is followed (through <see cref="RoomFollower"/>) and the current room, the one
/// that typed lines go to.
/// </summary>
internal sealed class FollowedRooms(ChatConnection connection, RoomFollower follower, ChatScreen screen, EntryFormatter formatter)
{
    private const int ContextOnJoin = 10;

    public string? Current { get; private set; }

    public Task FollowAsync(RoomInfo room, CancellationToken cancellationToken)
    {
        formatter.Learn(room);
        return follower.FollowAsync(room.Name, room.LastSeq, cancellationToken).WaitAsync(HubCalls.Timeout, cancellationToken);
    }

    public async Task EnterAsync(RoomInfo room, CancellationToken cancellationToken)
    {
        formatter.Learn(room);
        if (!await IsFollowedAsync(room.Name, cancellationToken))
        {
            // A little context, then live: the follower streams the last few entries and continues from there.
            await FollowWithContextAsync(room, cancellationToken);
        }

        Current = room.Name;
        var label = formatter.Label(room.Name) + (room.IsDirect ? $" (direct conversation with {room.DirectWith})" : room.IsPrivate ? " (private)" : "");
        screen.Notify($"now in {label}; what you type goes there");
    }

    /// <summary>Someone opened a DM with us, we were invited, or we joined in another window: follow it from now on.</summary>
    public async Task OnJoinedAsync(RoomInfo room, CancellationToken cancellationToken)
    {
        formatter.Learn(room);
        if (await IsFollowedAsync(room.Name, cancellationToken))
        {
            return;
        }

        await FollowWithContextAsync(room, cancellationToken);
        await screen.WriteAsync(room.IsDirect
            ? $"* {room.DirectWith} opened a direct conversation with you; /dm {room.DirectWith} to reply"
            : $"* you are now a member of {room.Name}; /join {room.Name} to talk there", cancellationToken);
    }

    public async Task OnLeftAsync(string room, CancellationToken cancellationToken)
    {
        if (!await IsFollowedAsync(room, cancellationToken))
        {
            return;
        }

        await follower.UnfollowAsync(room, cancellationToken).WaitAsync(HubCalls.Timeout, cancellationToken);
        if (IsCurrent(room))
        {
            Current = null;
        }

        await screen.WriteAsync($"* you are no longer a member of {formatter.Label(room)}", cancellationToken);
    }

    public async Task LeaveAsync(string? room, CancellationToken cancellationToken)
    {
        room = room is null ? Current : formatter.RoomName(room);
        if (room is null)
        {
            await screen.WriteAsync("* you are not in a room", cancellationToken);
            return;
        }

        await HubCalls.CallAsync(async ct =>
        {
            await connection.LeaveRoomAsync(room, ct);
            return true;
        }, cancellationToken);
        await follower.UnfollowAsync(room, cancellationToken).WaitAsync(HubCalls.Timeout, cancellationToken);
        if (IsCurrent(room))
        {
            var positions = await follower.PositionsAsync(cancellationToken).WaitAsync(HubCalls.Timeout, cancellationToken);
            Current = positions.Keys.Order(StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        }

        await screen.WriteAsync($"* left {formatter.Label(room)}; {(Current is null ? "no current room: /join ROOM" : "now in " + formatter.Label(Current))}", cancellationToken);
    }

    public bool IsCurrent(string room) => string.Equals(room, Current, StringComparison.OrdinalIgnoreCase);

    public async Task<bool> IsFollowedAsync(string room, CancellationToken cancellationToken)
    {
        var positions = await follower.PositionsAsync(cancellationToken).WaitAsync(HubCalls.Timeout, cancellationToken);
        return positions.ContainsKey(room);
    }

    private Task FollowWithContextAsync(RoomInfo room, CancellationToken cancellationToken) =>
        follower.FollowAsync(room.Name, Math.Max(0, room.LastSeq - ContextOnJoin), cancellationToken).WaitAsync(HubCalls.Timeout, cancellationToken);
}
