using System.Security.Claims;

namespace ChatApp.Server.Auth;

/// <summary>
/// The authenticated caller, read only from the token's claims, never from a payload. An endpoint takes it as a
/// parameter (<see cref="BindAsync"/>): read from the claims once, when the token is checked, and endpoints need no HttpContext for it.
/// </summary>
public sealed record ChatUser(long Id, string Name)
{
    /// <summary>Minimal APIs call this for a <see cref="ChatUser"/> parameter; the endpoint must require authorization.</summary>
    public static ValueTask<ChatUser?> BindAsync(HttpContext context) => ValueTask.FromResult<ChatUser?>(From(context.User));

    /// <summary>The caller: the one a checked token's identity carries (<see cref="ChatIdentity"/>), or read from the claims.</summary>
    public static ChatUser From(ClaimsPrincipal principal) =>
        principal.Identity is ChatIdentity { User: { } user } ? user
        : FromClaims(principal) ?? throw new InvalidOperationException("An authenticated request carries no user claims; the endpoint must require authorization.");

    /// <summary>The user the claims name, or null when they name none.</summary>
    public static ChatUser? FromClaims(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(TokenClaims.Subject);
        var name = principal.FindFirstValue(TokenClaims.Name);
        return long.TryParse(id, out var userId) && !string.IsNullOrEmpty(name) ? new ChatUser(userId, name) : null;
    }
}
