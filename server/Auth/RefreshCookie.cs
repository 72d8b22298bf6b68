namespace ChatApp.Server.Auth;

/// <summary>
/// The browser's refresh token: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
/// Secure over HTTPS, and sent only to the auth endpoints, never with the rest of the API.
/// </summary>
public static class RefreshCookie
{
    public const string Name = "chatapp_refresh";

    public static string? Read(HttpRequest request) => request.Cookies.TryGetValue(Name, out var value) && value.Length > 0 ? value : null;

    public static void Write(HttpResponse response, string token, DateTimeOffset expiresAt) =>
        response.Cookies.Append(Name, token, Options(response.HttpContext.Request, expiresAt));

    public static void Clear(HttpResponse response) =>
        response.Cookies.Delete(Name, Options(response.HttpContext.Request, null));

    private static CookieOptions Options(HttpRequest request, DateTimeOffset? expiresAt) => new()
    {
        HttpOnly = true,
        Secure = request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = Contracts.ChatPaths.Auth,
        Expires = expiresAt,
        IsEssential = true,
    };
}
