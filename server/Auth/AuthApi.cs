using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Limits;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Auth;

public static class AuthApi
{
    public static IHostApplicationBuilder AddChatAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddAuthentication(BearerTokenDefaults.AuthenticationScheme).AddBearerToken();
        builder.Services.AddOptions<BearerTokenOptions>(BearerTokenDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((bearer, auth) =>
            {
                bearer.BearerTokenExpiration = TimeSpan.FromMinutes(auth.Value.TokenLifetimeMinutes);
                bearer.Events.OnMessageReceived = context =>
                {
                    // Browsers cannot set headers on a WebSocket request, so SignalR clients send the token in the query string.
                    if (context.HttpContext.Request.Path.StartsWithSegments(ChatPaths.Hub)
                        && context.Request.Query.TryGetValue("access_token", out var token))
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                };
            });
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<LoginThrottle>();
        return builder;
    }

    /// <summary>A user no one can log in as, whose hash an unknown name is checked against.</summary>
    private static readonly User UnknownUser = new()
    {
        UserName = "",
        PasswordHash = new PasswordHasher<User>().HashPassword(null!, Guid.NewGuid().ToString()), // the hasher ignores the user
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/register", RegisterAsync).LimitedBy(LimitKind.Registrations);
        auth.MapPost("/login", LoginAsync).LimitedBy(LimitKind.Logins);
        return app;
    }

    private static async Task<IResult> RegisterAsync(
        RegisterRequest request, DatabaseWriter writer, IPasswordHasher<User> hasher, IOptions<AuthOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        Credentials.ValidateUserName(request.UserName);
        Credentials.ValidatePassword(request.UserName, request.Password, options.Value);

        // Hashing is deliberately slow CPU work; it runs here, never inside the writer's transaction.
        var hash = hasher.HashPassword(null!, request.Password); // PasswordHasher ignores the user argument
        var user = await writer.SubmitAsync(new RegisterUser(request.UserName, hash, clock.GetUtcNow()), cancellationToken);
        return TypedResults.Created($"/api/users/{user.Name}", new { userName = user.Name });
    }

    private static async Task<IResult> LoginAsync(
        LoginRequest request, HttpContext http, IDbContextFactory<ChatDbContext> contexts, IPasswordHasher<User> hasher, LoginThrottle throttle,
        IOptions<AuthOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.UserName) || string.IsNullOrEmpty(request.Password))
        {
            throw ChatException.Invalid("Both userName and password are required.");
        }

        // Lengths and the name's shape before anything else: no account can match, so nothing is hashed,
        // looked up or remembered for it (a throttle key of a 2 MB name would be 2 MB of memory).
        if (!Credentials.IsUserName(request.UserName) || request.Password.Length > options.Value.MaxPasswordLength)
        {
            return WrongCredentials();
        }

        // Per name and address: guessing from one place is slowed, while a stranger elsewhere cannot lock the owner out.
        var attempt = $"{request.UserName.ToLowerInvariant()}|{http.Connection.RemoteIpAddress}";
        if (throttle.LockedFor(attempt) is { } wait)
        {
            throw ChatException.RateLimited(
                $"Too many failed logins for this name; try again in {Math.Ceiling(wait.TotalMinutes)} minutes.", wait);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == request.UserName, cancellationToken);
        // One answer, in about the same time, for an unknown name and a wrong password, so neither reveals which names exist.
        var result = user is null
            ? hasher.VerifyHashedPassword(UnknownUser, UnknownUser.PasswordHash, request.Password)
            : hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            throttle.Failed(attempt);
            return WrongCredentials();
        }

        throttle.Succeeded(attempt);
        return TypedResults.SignIn(new ChatUser(user.Id, user.UserName).ToPrincipal(BearerTokenDefaults.AuthenticationScheme),
            authenticationScheme: BearerTokenDefaults.AuthenticationScheme);
    }

    private static ProblemHttpResult WrongCredentials() => TypedResults.Problem(
        title: "Wrong user name or password.", statusCode: StatusCodes.Status401Unauthorized,
        extensions: new Dictionary<string, object?> { ["code"] = ChatErrorCodes.Invalid });
}
