using System.Security.Claims;

namespace ChatApp.Server.Auth;

/// <summary>
/// The authenticated caller, read only from the token's claims, never from a payload. An endpoint takes it as a
/// parameter (<see cref="BindAsync"/>): read from the claims once per request, and endpoints need no HttpContext for it.
/// </summary>
public sealed record ChatUser(long Id, string Name)
{
    /// <summary>Minimal APIs call this for a <see cref="ChatUser"/> parameter; the endpoint must require authorization.</summary>
    public static ValueTask<ChatUser?> BindAsync(HttpContext context)
    {
        if (context.Items[typeof(ChatUser)] is not ChatUser user)
        {
            context.Items[typeof(ChatUser)] = user = From(context.User);
        }

        return ValueTask.FromResult<ChatUser?>(user);
    }

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
