using System.Diagnostics;
using Serilog;
using Serilog.Extensions.Logging;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace ChatApp.Server.Hosting;

public static partial class Logging
{
    /// <summary>Serilog, configured once from the "Serilog" section (console plus rolling file, see appsettings.json).</summary>
    public static IHostApplicationBuilder AddChatLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        // Built from the final configuration when the host first logs, not from the builder's, so settings
        // added later (tests, hosting tools) apply too. One logger per host: tests run several in one process.
        builder.Logging.Services.AddSingleton<ILoggerProvider>(services => new SerilogLoggerProvider(
            new LoggerConfiguration().ReadFrom.Configuration(services.GetRequiredService<IConfiguration>()).CreateLogger(),
            dispose: true));
        return builder;
    }

    /// <summary>
    /// One line per request, with the path but never the query string: the hub's WebSocket request carries
    /// the bearer token as <c>access_token</c>. (ASP.NET Core's own request lines, which include the query,
    /// are turned down to Warning in appsettings.json for the same reason.)
    /// </summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ChatApp.Server.Requests");
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                LogRequest(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.User.Identity?.Name);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {Method} {Path} answered {StatusCode} in {ElapsedMs:F1} ms for {User}")]
    private static partial void LogRequest(ILogger logger, string method, string path, int statusCode, double elapsedMs, string? user);
}
