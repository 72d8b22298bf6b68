using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using ChatApp.Contracts;
using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Limits;

public static partial class LimitsExtensions
{
    /// <summary>The limits, ASP.NET Core's rate limiter for REST (and hub connections), and the hub filter for hub calls.</summary>
    public static IHostApplicationBuilder AddChatLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ChatLimiters>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChatLimiters>());
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>(
            (kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<ChatLimiters, IOptions<LimitsOptions>>((options, limiters, limits) =>
        {
            options.GlobalLimiter = new EndpointLimiter(limiters);
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => RejectAsync(context, limits.Value);
        });
        // Added after ChatHubFilter (AddChatHub), so that filter turns this one's refusals into coded HubExceptions.
        // An instance, like ChatHubFilter's (see AddChatHub): not a new filter and an async wrapper on every call.
        builder.Services.AddSingleton<HubLimitFilter>();
        builder.Services.AddOptions<HubOptions>().Configure<HubLimitFilter>((hub, filter) => hub.AddFilter(filter));
        return builder;
    }

    public static IApplicationBuilder UseChatLimits(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>Counts the endpoint's requests against <paramref name="kind"/>.</summary>
    public static TBuilder LimitedBy<TBuilder>(this TBuilder builder, LimitKind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new LimitedBy(kind));

    /// <summary>Whom a request counts for: the user when logged in, else the address (an IPv6 /64, which one machine usually has whole).</summary>
    internal static string PartitionKey(HttpContext http)
    {
        if (http.User.FindFirstValue(Auth.TokenClaims.Subject) is { } userId)
        {
            return "u:" + userId;
        }

        var address = http.Connection.RemoteIpAddress;
        if (address is { AddressFamily: AddressFamily.InterNetworkV6, IsIPv4MappedToIPv6: false })
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            address = new IPAddress(bytes);
        }
        else if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        return "a:" + (address?.ToString() ?? "local");
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, LimitsOptions limits)
    {
        var http = context.HttpContext;
        TimeSpan? retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : null;
        var kind = EndpointLimiter.KindOf(http) ?? LimitKind.Calls;
        var text = SlowDown(kind, limits);
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LimitsExtensions).FullName!);
        LogLimited(logger, http.Request.Method, http.Request.Path, PartitionKey(http), kind);
        http.RequestServices.GetRequiredService<ChatMetrics>().RateLimited(kind.ToString());
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await ChatExceptionHandler.WriteAsync(problems, http, StatusCodes.Status429TooManyRequests, ChatErrorCodes.RateLimited, text, retryAfter);
    }

    /// <summary>What a limited caller is told: what it did too much of, and that it should slow down.</summary>
    internal static string SlowDown(LimitKind kind, LimitsOptions limits) => kind switch
    {
        LimitKind.Messages => $"You are sending too fast (at most {limits.MessagesPerMinute} messages, edits and reactions a minute); slow down.",
        LimitKind.Registrations => "Too many accounts were created from your address; try again later.",
        LimitKind.Logins => "Too many logins from your address; slow down.",
        LimitKind.Rooms => $"You created too many rooms (at most {limits.RoomsPerHour} an hour); try again later.",
        LimitKind.Connections => $"You have too many connections open (at most {limits.ConnectionsPerUser}); close one and try again.",
        _ => "Too many requests; slow down.",
    };

    // Debug: the request line already says 429, and a flood must not turn into a flood of log lines.
    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP {Method} {Path} rate-limited for {Key} ({Limit})")]
    private static partial void LogLimited(ILogger logger, string method, string path, string key, LimitKind limit);
}
