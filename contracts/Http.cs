namespace ChatApp.Contracts;

public sealed record RegisterRequest(string UserName, string Password);

public sealed record LoginRequest(string UserName, string Password);

/// <summary>What <c>POST /api/auth/login</c> returns; the token goes in <c>Authorization: Bearer</c> or the hub's <c>access_token</c> query string.</summary>
public sealed record LoginResponse(string AccessToken, long ExpiresIn, string TokenType = "Bearer");

public sealed record PostMessageRequest(string Text, string ClientMessageId);

/// <summary>Paths shared by server and clients.</summary>
public static class ChatPaths
{
    public const string Hub = "/hubs/chat";
    public const string Register = "/api/auth/register";
    public const string Login = "/api/auth/login";
    public const string Rooms = "/api/rooms";
    public const string Search = "/api/search";
}
