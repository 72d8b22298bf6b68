using System.Security.Claims;
using ChatApp.Contracts;
using ChatApp.Server.Data;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ChatApp.Server.Auth;

public static class AuthSetup
{
    /// <summary>Accounts, JWT access tokens checked against live sessions, refresh tokens, and the admin role.</summary>
    public static IHostApplicationBuilder AddChatAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.SigningKeyProblem() is null, "Auth:SigningKey must be base64 of at least 32 random bytes (e.g. `openssl rand -base64 48`).")
            .ValidateOnStart();

        builder.Services.AddSingleton<SigningKey>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SigningKey>());
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<SessionChecks>();
        builder.Services.AddSingleton<SessionConnections>();
        builder.Services.AddSingleton<SessionIssuer>();
        builder.Services.AddHostedService<SessionWatch>();
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AccessTokens>((jwt, tokens) =>
            {
                jwt.MapInboundClaims = false;
                // Nothing reads the token back from the authentication result (GetTokenAsync), and a hub connection keeps
                // that result for as long as it is open: the token string and its entries, ~1 KB per idle connection.
                jwt.SaveToken = false;
                jwt.TokenValidationParameters = tokens.ValidationParameters();
                jwt.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        // Browsers cannot set headers on a WebSocket request, so SignalR clients send the token in the query string.
                        if (context.HttpContext.Request.Path.StartsWithSegments(ChatPaths.Hub)
                            && context.Request.Query.TryGetValue("access_token", out var token))
                        {
                            context.Token = token;
                        }

                        return Task.CompletedTask;
                    },
                    OnTokenValidated = CheckSessionAsync,
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(TokenClaims.AdminPolicy, policy => policy.RequireRole(TokenClaims.AdminRole));
        builder.Services.AddOptions<PasswordHasherOptions>()
            .Configure<IOptions<AuthOptions>>((hasher, auth) => hasher.IterationCount = auth.Value.PasswordHashIterations);
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<PasswordHashing>();
        builder.Services.AddSingleton<LoginThrottle>();
        return builder;
    }

    /// <summary>
    /// A well-signed token is not enough: its session must still be live and its account enabled. The token's
    /// expiry (or its session's, if sooner) becomes the authentication's, which is what SignalR's CloseOnAuthenticationExpiration acts on.
    /// </summary>
    private static async Task CheckSessionAsync(TokenValidatedContext context)
    {
        var checks = context.HttpContext.RequestServices.GetRequiredService<SessionChecks>();
        var liveUntil = await checks.LiveUntilAsync(TokenClaims.SessionId(context.Principal), context.HttpContext.RequestAborted);
        if (liveUntil is not { } sessionExpires)
        {
            context.Fail("The session has ended; refresh or log in again.");
            return;
        }

        // The session's own expiry too, when it comes first: SessionWatch reads only revocations, so a session that
        // merely runs out closes its connections this way.
        if (context.SecurityToken is JsonWebToken jwt)
        {
            DateTimeOffset tokenExpires = jwt.ValidTo;
            context.Properties.ExpiresUtc = tokenExpires < sessionExpires ? tokenExpires : sessionExpires;
        }

        context.Principal = Slim(context.Principal!); // a validated token always has a principal

        // A hub connection's request stays open for as long as the connection, and with it its headers: the bearer
        // header (~0.6 KB a connection) is not read again once the token is checked (the expiry above is what closes
        // the connection). The query string's access_token, which browsers send, stays: the raw request target holds it.
        if (context.HttpContext.Request.Path.StartsWithSegments(ChatPaths.Hub))
        {
            context.HttpContext.Request.Headers.Authorization = default;
        }
    }

    /// <summary>
    /// The principal with only the claims ChatApp reads. A hub connection keeps its principal for as long as it
    /// is open (the HttpContext and SignalR hold it); the JWT handler's own keeps the parsed token and every
    /// claim of it twice, each with a property bag: about 4 KB per idle connection that nothing reads.
    /// </summary>
    private static ClaimsPrincipal Slim(ClaimsPrincipal principal)
    {
        var identity = new ChatIdentity(principal.Identity?.AuthenticationType);
        foreach (var claim in principal.Claims)
        {
            if (claim.Type is TokenClaims.Subject or TokenClaims.Name or TokenClaims.Session or TokenClaims.Role)
            {
                // Subject set here, so the identity does not copy the claim again.
                identity.AddClaim(new Claim(claim.Type, claim.Value, claim.ValueType, claim.Issuer, claim.OriginalIssuer, identity));
            }
        }

        var slim = new ClaimsPrincipal(identity);
        identity.User = ChatUser.FromClaims(slim); // the caller, read once here: hub calls and endpoints take it from the identity
        return slim;
    }
}
