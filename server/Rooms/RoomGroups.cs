using ChatApp.Contracts;
using ChatApp.Server.Hubs;
using ChatApp.Server.Presence;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Rooms;

/// <summary>
/// Keeps SignalR groups in step with stored membership. Groups are only the live fan-out list:
/// membership itself is stored, and each new connection is added to its user's rooms on connect.
/// </summary>
public sealed class RoomGroups(IHubContext<ChatHub, IChatClient> hub, ConnectionRegistry connections)
{
    public static string For(string room) => "room:" + room;

    /// <summary>Adds every open connection of the user (every tab, every device) to the room's group.</summary>
    public async Task AddUserAsync(long userId, string room, CancellationToken cancellationToken)
    {
        foreach (var connectionId in connections.ConnectionsOf(userId))
        {
            await hub.Groups.AddToGroupAsync(connectionId, For(room), cancellationToken);
        }
    }

    public async Task RemoveUserAsync(long userId, string room, CancellationToken cancellationToken)
    {
        foreach (var connectionId in connections.ConnectionsOf(userId))
        {
            await hub.Groups.RemoveFromGroupAsync(connectionId, For(room), cancellationToken);
        }
    }
}
