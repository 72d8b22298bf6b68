namespace ChatApp.Contracts;

public sealed record RegisterRequest(string UserName, string Password);

/// <param name="RefreshTokenInCookie">
/// Browsers set this: the refresh token then comes only as an HttpOnly cookie scoped to the auth endpoints,
/// never in the body, so no script on the page can read it. Other clients get it in the body.
/// </param>
public sealed record LoginRequest(string UserName, string Password, bool RefreshTokenInCookie = false);

/// <summary>
/// What login and refresh return. The access token (a short-lived JWT) goes in <c>Authorization: Bearer</c> or the
/// hub's <c>access_token</c> query string; the refresh token (null when it went into a cookie) buys the next one
/// once, at <c>POST /api/auth/refresh</c>.
/// </summary>
public sealed record LoginResponse(string AccessToken, long ExpiresIn, string TokenType = "Bearer")
{
    public string? RefreshToken { get; init; }

    public string UserName { get; init; } = "";

    public bool IsAdmin { get; init; }
}

/// <summary>The body of refresh and logout; a browser leaves it empty and sends its cookie instead.</summary>
public sealed record RefreshRequest(string? RefreshToken);

public sealed record PostMessageRequest(string Text, string ClientMessageId)
{
    /// <summary>Optional: the seq of the message this one answers.</summary>
    public long? ReplyTo { get; init; }

    /// <summary>Optional: attachments uploaded to the room beforehand.</summary>
    public IReadOnlyList<string>? AttachmentIds { get; init; }
}

/// <summary>Paths shared by server and clients.</summary>
public static class ChatPaths
{
    public const string Hub = "/hubs/chat";
    public const string Auth = "/api/auth";
    public const string Register = "/api/auth/register";
    public const string Login = "/api/auth/login";
    public const string Refresh = "/api/auth/refresh";
    public const string Logout = "/api/auth/logout";
    public const string Rooms = "/api/rooms";
    public const string Search = "/api/search";
    public const string Admin = "/api/admin";

    /// <summary>Downloads: <c>GET /api/attachments/{id}</c>; uploads go to <c>POST /api/rooms/{room}/attachments</c>.</summary>
    public const string Attachments = "/api/attachments";
}
