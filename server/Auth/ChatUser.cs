using System.Security.Claims;

namespace ChatApp.Server.Auth;

/// <summary>The authenticated caller, read only from the token's claims, never from a payload.</summary>
public sealed record ChatUser(long Id, string Name)
{
    public static ChatUser From(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(TokenClaims.Subject);
        var name = principal.FindFirstValue(TokenClaims.Name);
        if (!long.TryParse(id, out var userId) || string.IsNullOrEmpty(name))
        {
            throw new InvalidOperationException("An authenticated request carries no user claims; the endpoint must require authorization.");
        }

        return new ChatUser(userId, name);
    }
}
