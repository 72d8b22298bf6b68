using Microsoft.Extensions.Options;

namespace ChatApp.Server.Auth;

/// <summary>Every few seconds, closes this node's hub connections whose session has ended anywhere.</summary>
public sealed partial class SessionWatch(
    SessionConnections connections, SessionChecks checks, IOptions<AuthOptions> options, ILogger<SessionWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SessionCheckSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var open = connections.SessionIds();
                    if (open.Count > 0)
                    {
                        connections.End(await checks.EndedAsync(open, stoppingToken));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed check is tried again at the next tick; tokens still expire meanwhile.
                    LogCheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking open connections for ended sessions failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
