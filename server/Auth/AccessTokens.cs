using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChatApp.Server.Auth;

/// <summary>Issues the short-lived access tokens: JWTs naming the user, the session and the admin role.</summary>
public sealed class AccessTokens(SigningKey key, IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.AccessTokenMinutes);

    public string Issue(ChatUser user, string sessionId, bool isAdmin)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [TokenClaims.Subject] = user.Id.ToString(CultureInfo.InvariantCulture),
            [TokenClaims.Name] = user.Name,
            [TokenClaims.Session] = sessionId,
        };
        if (isAdmin)
        {
            claims[TokenClaims.Role] = TokenClaims.AdminRole;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TokenClaims.Issuer,
            Audience = TokenClaims.Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = claims,
            SigningCredentials = key.Credentials,
        });
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = TokenClaims.Issuer,
        ValidAudience = TokenClaims.Issuer,
        // Resolved per token, because the key is loaded when the host starts, after options are built.
        IssuerSigningKeyResolver = (_, _, _, _) => [key.Key],
        NameClaimType = TokenClaims.Name,
        RoleClaimType = TokenClaims.Role,
        ClockSkew = TimeSpan.FromSeconds(options.Value.ClockSkewSeconds),
    };
}
