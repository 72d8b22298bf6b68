using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Limits;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Auth;

/// <summary>Register, log in (a session starts), refresh (its refresh token is spent and replaced), log out (it ends).</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup(ChatPaths.Auth).WithTags("Auth");
        auth.MapPost("/register", RegisterAsync).LimitedBy(LimitKind.Registrations);
        auth.MapPost("/login", LoginAsync).LimitedBy(LimitKind.Logins);
        // Per address (no access token needed): each guess at a refresh token costs a database read.
        auth.MapPost("/refresh", RefreshAsync).LimitedBy(LimitKind.Calls);
        auth.MapPost("/logout", LogoutAsync).LimitedBy(LimitKind.Calls);
        return app;
    }

    private static async Task<IResult> RegisterAsync(
        RegisterRequest request, DatabaseWriter writer, PasswordHashing hasher, IOptions<AuthOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        Credentials.ValidateUserName(request.UserName);
        Credentials.ValidatePassword(request.UserName, request.Password, options.Value);

        // Hashing is deliberately slow CPU work; it runs here (behind the hashing gate), never inside the writer's transaction.
        var hash = await hasher.HashAsync(request.Password, cancellationToken);
        var user = await writer.SubmitAsync(new RegisterUser(request.UserName, hash, clock.GetUtcNow()), cancellationToken);
        return TypedResults.Created($"/api/users/{user.Name}", new { userName = user.Name });
    }

    private static async Task<IResult> LoginAsync(
        LoginRequest request, HttpContext http, IDbContextFactory<ChatDbContext> contexts, PasswordHashing hasher,
        LoginThrottle throttle, SessionIssuer issuer, IOptions<AuthOptions> options, CancellationToken cancellationToken)
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

        User? user;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            user = await UserByName.For(db)(db, request.UserName, cancellationToken);
        }

        // One answer, in about the same time, for an unknown name and a wrong password, so neither reveals which names exist.
        var result = await hasher.VerifyAsync(user, request.Password, cancellationToken);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            throttle.Failed(attempt);
            return WrongCredentials();
        }

        throttle.Succeeded(attempt);
        if (user.DisabledAt is not null)
        {
            // Said only to someone who knows the password.
            throw ChatException.Forbidden("This account is disabled; ask an administrator.");
        }

        return await issuer.StartAsync(http, user, request.RefreshTokenInCookie, cancellationToken);
    }

    // Compiled (see PerContextQuery): a login storm otherwise builds this query's expression tree once per login.
    private static readonly PerContextQuery<Func<ChatDbContext, string, CancellationToken, Task<User?>>> UserByName = new(() => EF.CompileAsyncQuery(
        (ChatDbContext db, string userName, CancellationToken _) => db.Users.FirstOrDefault(u => u.UserName == userName)));

    private static async Task<IResult> RefreshAsync(HttpContext http, SessionIssuer issuer, CancellationToken cancellationToken)
    {
        var (token, fromCookie) = await ReadRefreshTokenAsync(http, cancellationToken);
        return await issuer.RotateAsync(http, token, fromCookie, cancellationToken);
    }

    /// <summary>Ends the session of the refresh token (body or cookie), else the one of the bearer token; always clears the cookie.</summary>
    private static async Task<IResult> LogoutAsync(HttpContext http, SessionIssuer issuer, CancellationToken cancellationToken)
    {
        var (token, _) = await ReadRefreshTokenAsync(http, cancellationToken);
        // Authentication ran for every request already; an anonymous caller simply has no session claim.
        await issuer.EndAsync(token, TokenClaims.SessionId(http.User), cancellationToken);
        RefreshCookie.Clear(http.Response);
        return TypedResults.NoContent();
    }

    private static async Task<(string? Token, bool FromCookie)> ReadRefreshTokenAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Request.HasJsonContentType() && http.Request.ContentLength != 0)
        {
            try
            {
                var body = await http.Request.ReadFromJsonAsync<RefreshRequest>(cancellationToken);
                if (!string.IsNullOrEmpty(body?.RefreshToken))
                {
                    return (body.RefreshToken, false);
                }
            }
            catch (System.Text.Json.JsonException)
            {
                throw ChatException.Invalid("The body must be {\"refreshToken\": \"...\"} or empty.");
            }
        }

        return (RefreshCookie.Read(http.Request), true);
    }

    private static ProblemHttpResult WrongCredentials() => TypedResults.Problem(
        title: "Wrong user name or password.", statusCode: StatusCodes.Status401Unauthorized,
        extensions: new Dictionary<string, object?> { ["code"] = ChatErrorCodes.Invalid });
}
