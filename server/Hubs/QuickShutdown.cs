using ChatApp.Contracts;
using ChatApp.Server.Live;

namespace ChatApp.Server.Hubs;

/// <summary>
/// Shutdown in well under a second, not the host's 30-second timeout. Kestrel waits for open requests before
/// it stops, and a hub connection is a request that never ends by itself. SignalR closes its connections
/// when the host starts stopping, but clients with automatic reconnect (browser tabs retry at once) come
/// straight back while Kestrel still accepts, and those new connections held the process until the
/// timeout (measured: about 30 s; with this, under 0.1 s). So, from the moment the host starts stopping, new hub
/// connections are refused (503, retry later or elsewhere), open ones are closed (<see cref="HubConnections.AbortAll"/>,
/// which also catches one that was still connecting), and the writer then drains what it accepted before
/// the process exits (<see cref="Data.DatabaseWriter.StopAsync"/>).
/// </summary>
public static partial class QuickShutdown
{
    public static IApplicationBuilder UseQuickShutdown(this IApplicationBuilder app)
    {
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var connections = app.ApplicationServices.GetRequiredService<HubConnections>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(QuickShutdown).FullName!);
        stopping.Register(() => LogClosed(logger, connections.AbortAll()));

        return app.Use((context, next) =>
        {
            if (stopping.IsCancellationRequested && context.Request.Path.StartsWithSegments(ChatPaths.Hub))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: closed {Count} hub connections; new ones are refused")]
    private static partial void LogClosed(ILogger logger, int count);
}
