using ChatApp.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Serilog;
using Serilog.Events;

namespace ChatApp.Server.Hosting;

public static partial class Logging
{
    private static int _bootstrapped;

    /// <summary>Serilog, configured once from the "Serilog" section (console plus rolling file, see appsettings.json).</summary>
    public static IHostApplicationBuilder AddChatLogging(this IHostApplicationBuilder builder)
    {
        UseBootstrapLogger();
        // Built from the final configuration when the host first logs, not from the builder's, so settings
        // added later (tests, hosting tools) apply too. One logger per host (preserveStaticLogger): tests run
        // several hosts in one process, and the static logger stays the bootstrap one for start-up failures.
        builder.Services.AddSerilog(
            (services, logger) => logger.ReadFrom.Configuration(services.GetRequiredService<IConfiguration>()),
            preserveStaticLogger: true);
        OneLoggerPerCategory.Wrap(builder.Services);
        return builder;
    }

    /// <summary>
    /// A console logger for what happens before the host's own logger exists, or instead of it when
    /// building it is what failed (a bad sink setting, an invalid option, a database that is refused).
    /// </summary>
    /// <remarks>
    /// An unhandled-exception hook rather than try/catch in Program.cs: a catch there would also swallow
    /// the HostAbortedException that hosting tools (dotnet-ef, WebApplicationFactory) use to stop the app
    /// after building it. An exception that escapes <c>app.Run()</c> is unhandled, so the hook sees exactly
    /// the failures that stop the process, and writes them before the runtime prints its own trace.
    /// </remarks>
    private static void UseBootstrapLogger()
    {
        if (Interlocked.Exchange(ref _bootstrapped, 1) == 1)
        {
            return; // once per process; tests build many hosts
        }

        Log.Logger = new LoggerConfiguration()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateBootstrapLogger();
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            Log.Fatal(e.ExceptionObject as Exception, "The server stopped: {Reason}", (e.ExceptionObject as Exception)?.Message);
            Log.CloseAndFlush();
        };
    }

    /// <summary>
    /// One line per request (Serilog's request logging), with the path but never the query string: the
    /// hub's WebSocket request carries the bearer token as <c>access_token</c>. ASP.NET Core's own request
    /// lines, which include the query, are turned down to Warning in appsettings.json for the same reason.
    /// </summary>
    /// <remarks>
    /// Except a hub's WebSocket request: it lasts as long as its connection, and Serilog's request logging keeps its
    /// state for that long (its async frame, diagnostic context and execution context, ~0.4 KB per idle connection) to
    /// write one line when the connection closes, which the hub filter's connect and disconnect lines (with the user and
    /// the connection) already say. Such a request gets its line only when it is refused (not upgraded), as it starts.
    /// </remarks>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var hubRequests = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ChatApp.Server.Hosting.HubRequests");
        app.UseWhen(IsHubWebSocket, hub => hub.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode != StatusCodes.Status101SwitchingProtocols)
                {
                    LogHubRequestRefused(hubRequests, context.Request.Path, context.Response.StatusCode, context.User.Identity?.Name);
                }

                return Task.CompletedTask;
            });
            return next(context);
        }));
        return app.UseWhen(context => !IsHubWebSocket(context), other => other.UseSerilogRequestLogging(options =>
        {
            // The host's logger, not the static one (which stays the bootstrap logger).
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.IncludeQueryInRequestPath = false;
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} answered {StatusCode} in {Elapsed:0.0} ms for {User}";
            options.EnrichDiagnosticContext = (diagnostics, http) => diagnostics.Set("User", http.User.Identity?.Name);
            // Probes and scrapers ask every few seconds; their lines would drown the rest. A 503 is the server
            // saying "not now" on purpose (shutting down, database unavailable), logged where that happens.
            options.GetLevel = (http, _, exception) =>
                exception is not null || http.Response.StatusCode is >= 500 and not StatusCodes.Status503ServiceUnavailable ? LogEventLevel.Error
                : http.Response.StatusCode == StatusCodes.Status503ServiceUnavailable ? LogEventLevel.Warning
                : http.Request.Path.StartsWithSegments("/healthz") || http.Request.Path.StartsWithSegments("/metrics") ? LogEventLevel.Debug
                : LogEventLevel.Information;
        }));
    }

    // Before UseWebSockets, so from the request itself: an HTTP/1.1 upgrade or an HTTP/2 extended CONNECT to the hub.
    private static bool IsHubWebSocket(HttpContext context) =>
        context.Request.Path.StartsWithSegments(ChatPaths.Hub)
        && (context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP hub WebSocket request {RequestPath} answered {StatusCode} for {User}")]
    private static partial void LogHubRequestRefused(Microsoft.Extensions.Logging.ILogger logger, string requestPath, int statusCode, string? user);
}
