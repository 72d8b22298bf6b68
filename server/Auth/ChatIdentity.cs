using System.Security.Claims;

namespace ChatApp.Server.Auth;

/// <summary>
/// The identity a checked token becomes (AuthSetup), carrying the <see cref="ChatUser"/> read from its claims once. A
/// hub call or an endpoint then finds the caller here, with no item bag: a hub connection's <c>Context.Items</c> is a
/// concurrent dictionary made on first use and kept for the connection's life (~0.6 KB per idle connection).
/// </summary>
public sealed class ChatIdentity : ClaimsIdentity
{
    public ChatIdentity(string? authenticationType)
        : base(authenticationType, TokenClaims.Name, TokenClaims.Role)
    {
    }

    private ChatIdentity(ChatIdentity other)
        : base(other) => User = other.User;

    /// <summary>Null only until the claims are in (AuthSetup sets it right after).</summary>
    public ChatUser? User { get; set; }

    // ASP.NET Core clones principals (an authentication result's copy): the clone must carry the user too.
    public override ClaimsIdentity Clone() => new ChatIdentity(this);
}
