using ChatApp.Server.Auth;
using ChatApp.Server.Limits;
using ChatApp.Server.Live;
using ChatApp.Server.Rooms;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Presence;

/// <summary>Who is online (first connection opens, last one closes or times out) and who is typing.</summary>
public sealed class PresenceTracker(
    ConnectionRegistry connections,
    IOnlineElsewhere elsewhere,
    RoomQueries rooms,
    RoomBroadcaster broadcaster,
    IOptions<TypingOptions> options,
    TimeProvider clock)
{
    // Bounded: an entry only matters for one throttle interval, and the map never holds more than its cap.
    private readonly BoundedMap<(long UserId, string Room), bool> _lastTyping = new(
        options.Value.TypingThrottleEntries, TimeSpan.FromMilliseconds(options.Value.TypingThrottleMilliseconds), clock);

    /// <summary>Registers the connection before it returns (the hub relies on that), then tells roommates when the user came online.</summary>
    public async Task ConnectedAsync(ChatUser user, string connectionId, CancellationToken cancellationToken)
    {
        if (connections.Add(user.Id, connectionId))
        {
            // Another node's connection means the user is online already: only the first anywhere announces it.
            if (!await elsewhere.SetAsync(user.Id, user.Name, online: true, cancellationToken))
            {
                await AnnounceAsync(user, cancellationToken);
            }
        }
    }

    public async Task DisconnectedAsync(ChatUser user, string connectionId, CancellationToken cancellationToken)
    {
        if (connections.Remove(user.Id, connectionId))
        {
            // Another node's connection keeps the user online: only the last one anywhere announces offline.
            if (!await elsewhere.SetAsync(user.Id, user.Name, online: false, cancellationToken))
            {
                await AnnounceAsync(user, cancellationToken);
            }
        }
    }

    private async Task AnnounceAsync(ChatUser user, CancellationToken cancellationToken)
    {
        var roommates = await rooms.RoommateIdsAsync(user.Id, cancellationToken);
        if (roommates.Count == 0)
        {
            return;
        }

        // Decided when sent, not when queued: a quick close-and-reopen cannot leave roommates with a stale state.
        broadcaster.Send(clients => connections.IsOnline(user.Id)
            ? clients.Users(roommates).UserOnline(user.Name)
            : clients.Users(roommates).UserOffline(user.Name));
    }

    /// <summary>Tells the room's other connections that the user is typing, at most once per throttle interval.</summary>
    public async Task TypingAsync(ChatUser user, string room, CancellationToken cancellationToken)
    {
        // The throttle is checked before the membership read, so a chatty client costs no database work.
        var key = (user.Id, RoomNames.Normalize(room));
        if (_lastTyping.TryGet(key, out _))
        {
            return;
        }

        var access = await rooms.GetMembershipAsync(user, room, cancellationToken);
        _lastTyping.Set(key, true);

        var own = connections.ConnectionsOf(user.Id);
        broadcaster.Send(clients => clients.GroupExcept(RoomGroups.For(access.Name), own).Typing(access.Name, user.Name));
    }
}
