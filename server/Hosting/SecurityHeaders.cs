namespace ChatApp.Server.Hosting;

public static class SecurityHeaders
{
    /// <summary>
    /// Scripts, styles and connections only from the app itself: no inline script, no eval, no plugins, no
    /// framing, no base-URL tricks. An injected <c>&lt;script&gt;</c> cannot run, so it cannot read anything either.
    /// Two allowances for the emoji picker (emoji-picker-element, a web component): its one stylesheet, which it
    /// puts in its shadow root as a <c>&lt;style&gt;</c> element, by hash (it changes only with that package's
    /// version; ChatApp.Browser.Tests fails on a mismatch), and inline style attributes, which it sets on its
    /// own elements. Style attributes cannot run script, and message text never reaches the page as HTML with them.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' " + EmojiPickerStyleHash + "; style-src-attr 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>The SHA-256 of emoji-picker-element 1.29.1's stylesheet (client-web/package.json).</summary>
    private const string EmojiPickerStyleHash = "'sha256-rg2BpwZ4T9EADaas/dlxn0KsISPDXXIabE9pnJ++3UQ='";

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
