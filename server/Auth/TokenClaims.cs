using System.Security.Claims;

namespace ChatApp.Server.Auth;

/// <summary>The claim names inside ChatApp's access tokens (JWT registered names, not mapped to .NET's long URIs).</summary>
public static class TokenClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Session = "sid";
    public const string Role = "role";
    public const string AdminRole = "admin";
    public const string AdminPolicy = "admin";
    public const string Issuer = "chatapp";

    public static string? SessionId(ClaimsPrincipal? principal) => principal?.FindFirstValue(Session);

    public static bool IsAdmin(ClaimsPrincipal principal) => principal.IsInRole(AdminRole);
}
