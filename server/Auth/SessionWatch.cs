using Microsoft.Extensions.Options;

namespace ChatApp.Server.Auth;

/// <summary>
/// Every few seconds, closes this node's hub connections whose session was revoked anywhere. It reads only the session
/// ends stored since its last checks (<see cref="Data.SessionEnd"/>: a trigger numbers every revocation, whoever wrote
/// it), not every open connection's session: at 5,000 idle connections that read was 5,000 rows every 2 s and most of
/// what an idle server allocated. A session that runs out
/// instead closes its connections by itself: a connection's authentication expires with its token or its session,
/// whichever ends first (AuthSetup).
/// </summary>
public sealed partial class SessionWatch(
    SessionConnections connections, SessionChecks checks, IOptions<AuthOptions> options, TimeProvider clock, ILogger<SessionWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SessionCheckSeconds));
        SessionEndCursor? cursor = null;
        try
        {
            do
            {
                try
                {
                    // Where to start is read once, at start-up (the database is migrated by then): the ends stored
                    // before concern no connection of this node, as each connect checks its session.
                    cursor ??= new SessionEndCursor(await checks.LastEndAsync(stoppingToken), clock);
                    var ended = await checks.EndsAfterAsync(cursor.After, stoppingToken);
                    if (ended.Count > 0)
                    {
                        connections.End(ended.Select(e => e.SessionId).ToHashSet());
                        cursor.Saw(ended.Max(e => e.Id));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed check is tried again at the next tick; tokens still expire meanwhile.
                    LogCheckFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking open connections for ended sessions failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}

/// <summary>
/// Where the session watch reads from: the newest end it had seen <see cref="Overlap"/> ago, not the newest it has
/// seen, so that each end is read (and its sessions' connections closed) again on every check for that long. Two cases
/// need it: a connection whose session check passed just before the revocation committed, but that registers on this
/// node only after the watch first read that end; and, on PostgreSQL, ends numbered out of commit order (a sequence
/// hands out numbers before commit, so a lower number can commit after a higher one was read). Both last far less than
/// <see cref="Overlap"/> (a connect's handshake times out after 15 s).
/// </summary>
public sealed class SessionEndCursor(long start, TimeProvider clock)
{
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(60);

    // The newest end seen, by when it was first seen; only while ends come, so an idle watch allocates nothing here.
    private readonly Queue<(long Timestamp, long Seen)> _marks = new();
    private long _seen = start;

    /// <summary>Read the ends numbered after this one.</summary>
    public long After { get; private set; } = start;

    /// <summary>A check read ends up to <paramref name="newest"/>.</summary>
    public void Saw(long newest)
    {
        var now = clock.GetTimestamp();
        if (newest > _seen)
        {
            _seen = newest;
            _marks.Enqueue((now, newest));
        }

        while (_marks.Count > 0 && clock.GetElapsedTime(_marks.Peek().Timestamp, now) >= Overlap)
        {
            After = _marks.Dequeue().Seen;
        }
    }
}
