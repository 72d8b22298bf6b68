using System.Collections.Concurrent;
using ChatApp.Server.Hosting;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Live;

/// <summary>
/// Every open hub connection, so that they can be closed from outside a hub call: all of them at shutdown
/// (<see cref="AbortAll"/>), or those of sessions that ended (<see cref="Auth.SessionConnections"/>). A hub filter, because every
/// connection passes through one on connect and disconnect whatever the hub does.
/// </summary>
public sealed class HubConnections(ChatMetrics metrics) : IHubFilter
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _open = new();

    /// <summary>How many hub connections are open now.</summary>
    public int Count => _open.Count;

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        // Added before the hub's own connect work, so an AbortAll that comes meanwhile includes this one.
        _open[context.Context.ConnectionId] = context.Context;
        metrics.ConnectionOpened();
        try
        {
            await next(context);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync for a connection whose OnConnectedAsync failed.
            _open.TryRemove(context.Context.ConnectionId, out _);
            metrics.ConnectionClosed();
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (_open.TryRemove(context.Context.ConnectionId, out _))
        {
            metrics.ConnectionClosed();
        }

        await next(context, exception);
    }

    /// <summary>The connections open now.</summary>
    public IEnumerable<HubCallerContext> Open => _open.Values;

    /// <summary>Closes every open connection; clients see it as a dropped connection and reconnect. Returns how many.</summary>
    public int AbortAll() => Abort(_ => true);

    /// <summary>Closes the open connections that <paramref name="which"/> picks. Returns how many.</summary>
    public int Abort(Func<HubCallerContext, bool> which)
    {
        var aborted = 0;
        foreach (var connection in _open.Values)
        {
            if (which(connection))
            {
                connection.Abort();
                aborted++;
            }
        }

        return aborted;
    }
}
