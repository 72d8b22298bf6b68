namespace ChatApp.Server.Hosting;

public static class SecurityHeaders
{
    /// <summary>
    /// Scripts, styles and connections only from the app itself: no inline script, no eval, no plugins, no
    /// framing, no base-URL tricks. An injected <c>&lt;script&gt;</c> cannot run, so it cannot read anything either.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>
    /// The browser's protections, on every response (pages, assets, API, errors). Set as the response starts, because
    /// the exception handler clears the headers of a response it rewrites.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(Add, context);
        return next(context);
    });

    private static Task Add(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY"; // for browsers that predate frame-ancestors
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (context.Request.IsHttps)
        {
            // Not UseHsts(): it leaves out localhost, and a server reached over HTTPS should always say it.
            headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        }

        return Task.CompletedTask;
    }
}
