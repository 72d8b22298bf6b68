using ChatApp.Server.Live;

namespace ChatApp.Server.Auth;

/// <summary>
/// The open hub connections of each session on this node (read from <see cref="HubConnections"/>), so that a
/// session that ends (logout, reuse of a refresh token, a disabled account, expiry) loses them at once
/// instead of when their token runs out.
/// </summary>
public sealed partial class SessionConnections(HubConnections connections, ILogger<SessionConnections> logger)
{
    /// <summary>Closes every connection of these sessions; their clients see the close and must refresh to come back.</summary>
    public int End(IReadOnlyCollection<string> sessionIds)
    {
        if (sessionIds.Count == 0)
        {
            return 0;
        }

        var ended = connections.Abort(c => TokenClaims.SessionId(c.User) is { } session && sessionIds.Contains(session));
        if (ended > 0)
        {
            LogEnded(logger, ended, sessionIds.Count);
        }

        return ended;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Connections} hub connections of {Sessions} ended sessions")]
    private static partial void LogEnded(ILogger logger, int connections, int sessions);
}
