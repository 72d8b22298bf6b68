using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Auth;

/// <summary>
/// The open hub connections of each session on this node, so that a session that ends (logout, reuse of a
/// refresh token, a disabled account, expiry) loses them at once instead of when their token runs out.
/// </summary>
public sealed partial class SessionConnections(ILogger<SessionConnections> logger)
{
    private readonly ConcurrentDictionary<string, (string SessionId, HubCallerContext Context)> _connections = new();

    public void Connected(HubCallerContext context)
    {
        if (TokenClaims.SessionId(context.User) is { } sessionId)
        {
            _connections[context.ConnectionId] = (sessionId, context);
        }
    }

    public void Disconnected(HubCallerContext context) => _connections.TryRemove(context.ConnectionId, out _);

    /// <summary>The sessions that have at least one connection open here.</summary>
    public IReadOnlyCollection<string> SessionIds() => _connections.Values.Select(c => c.SessionId).ToHashSet();

    /// <summary>Closes every connection of these sessions; their clients see the close and must refresh to come back.</summary>
    public int End(IReadOnlyCollection<string> sessionIds)
    {
        if (sessionIds.Count == 0)
        {
            return 0;
        }

        var ended = 0;
        foreach (var (connectionId, connection) in _connections)
        {
            if (sessionIds.Contains(connection.SessionId))
            {
                connection.Context.Abort();
                _connections.TryRemove(connectionId, out _);
                ended++;
            }
        }

        if (ended > 0)
        {
            LogEnded(logger, ended, sessionIds.Count);
        }

        return ended;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Connections} hub connections of {Sessions} ended sessions")]
    private static partial void LogEnded(ILogger logger, int connections, int sessions);
}
