using ChatApp.Contracts;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Hubs;

public static class OriginCheck
{
    /// <summary>
    /// Refuses hub requests from pages of other sites. Browsers always send Origin on WebSocket requests;
    /// native clients send none and are let through (they authenticate with their token like everyone).
    /// </summary>
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<ChatHubOptions>>();
        return app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(ChatPaths.Hub)
                && context.Request.Headers.Origin is [{ } origin, ..]
                && !IsAllowed(origin, context.Request, options.Value.AllowedOrigins))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("This origin may not open the chat hub.", context.RequestAborted);
                return;
            }

            await next(context);
        });
    }

    private static bool IsAllowed(string origin, HttpRequest request, string[] allowed) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || allowed.Any(a => string.Equals(a.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)));
}
