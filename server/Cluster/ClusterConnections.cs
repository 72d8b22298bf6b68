using System.Globalization;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Cluster;

/// <summary>Tells <see cref="LocalRooms"/> which connections are open on this node, before the hub's own connect work asks for groups.</summary>
public sealed class ClusterConnections(LocalRooms rooms) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        // The hub's connections are authenticated (RequireAuthorization): the user identifier is the numeric user id.
        rooms.Opened(context.Context.ConnectionId, long.TryParse(context.Context.UserIdentifier, CultureInfo.InvariantCulture, out var userId) ? userId : 0);
        try
        {
            await next(context);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync for a connection whose OnConnectedAsync failed.
            rooms.Closed(context.Context.ConnectionId);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        rooms.Closed(context.Context.ConnectionId);
        await next(context, exception);
    }
}
