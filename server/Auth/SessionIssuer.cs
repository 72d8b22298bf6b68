using ChatApp.Contracts;
using ChatApp.Server.Data;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Auth;

/// <summary>Starts, rotates and ends sessions, and answers with the tokens: the refresh token in the body, or only in the browser's cookie.</summary>
public sealed partial class SessionIssuer(
    DatabaseWriter writer, SessionChecks checks, AccessTokens tokens, SessionConnections connections, IOptions<AuthOptions> options, TimeProvider clock, ILogger<SessionIssuer> logger)
{
    private TimeSpan RefreshLifetime => TimeSpan.FromDays(options.Value.RefreshTokenDays);

    public async Task<IResult> StartAsync(HttpContext http, User user, bool cookie, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var sessionId = RefreshTokens.NewSessionId();
        var refresh = RefreshTokens.New(sessionId);
        await writer.SubmitAsync(new StartSession(user.Id, sessionId, refresh, now, now + RefreshLifetime), cancellationToken);
        return Answer(http, user, sessionId, refresh, now + RefreshLifetime, cookie);
    }

    public async Task<IResult> RotateAsync(HttpContext http, string? presented, bool cookie, CancellationToken cancellationToken)
    {
        if (presented is null)
        {
            return Refused(http, cookie, "No refresh token was sent; log in.");
        }

        var now = clock.GetUtcNow();
        var next = RefreshTokens.New(RefreshTokens.SessionIdOf(presented) ?? "");
        var grace = cookie ? TimeSpan.FromSeconds(options.Value.RefreshGraceSeconds) : TimeSpan.Zero;
        var rotation = await writer.SubmitAsync(new RotateSession(presented, next, now, now + RefreshLifetime, grace), cancellationToken);
        switch (rotation.Outcome)
        {
            case RotationOutcome.Rotated:
                return Answer(http, rotation.User!, rotation.SessionId!, next, now + RefreshLifetime, cookie); // Rotated carries both
            case RotationOutcome.JustRotated:
                // The cookie jar already holds the new token, set by the answer to the other tab's refresh.
                return Answer(http, rotation.User!, rotation.SessionId!, refresh: null, now + RefreshLifetime, cookie: false); // JustRotated carries both
            case RotationOutcome.Reused:
                LogReused(logger, rotation.SessionId!); // Reused names the session it ended
                connections.End([rotation.SessionId!]);
                return Refused(http, cookie, "That refresh token was already used, so this session was ended for safety; log in again.");
            case RotationOutcome.Ended:
                return Refused(http, cookie, "This session has ended; log in again.");
            default:
                return Refused(http, cookie, "That refresh token is not valid; log in.");
        }
    }

    /// <summary>Revokes the session named by the refresh token (when it matches) or by the caller's access token.</summary>
    public async Task EndAsync(string? refreshToken, string? bearerSessionId, CancellationToken cancellationToken)
    {
        var sessionId = bearerSessionId ?? RefreshTokens.SessionIdOf(refreshToken);
        if (sessionId is null)
        {
            return;
        }

        if (bearerSessionId is null)
        {
            // Without an access token, only the holder of the session's current refresh token may end it.
            if (!await checks.IsCurrentAsync(refreshToken!, cancellationToken)) // SessionIdOf returned non-null, so it is set
            {
                return;
            }
        }

        connections.End(await writer.SubmitAsync(new RevokeSessions(sessionId, null, clock.GetUtcNow()), cancellationToken));
    }

    private Microsoft.AspNetCore.Http.HttpResults.Ok<LoginResponse> Answer(HttpContext http, User user, string sessionId, string? refresh, DateTimeOffset refreshExpires, bool cookie)
    {
        var chatUser = new ChatUser(user.Id, user.UserName);
        var isAdmin = user.IsAdmin || options.Value.IsConfiguredAdmin(user.UserName);
        if (cookie && refresh is not null)
        {
            RefreshCookie.Write(http.Response, refresh, refreshExpires);
        }

        return TypedResults.Ok(new LoginResponse(tokens.Issue(chatUser, sessionId, isAdmin), (long)tokens.Lifetime.TotalSeconds)
        {
            RefreshToken = cookie ? null : refresh,
            UserName = user.UserName,
            IsAdmin = isAdmin,
        });
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Refused(HttpContext http, bool cookie, string title)
    {
        if (cookie)
        {
            RefreshCookie.Clear(http.Response);
        }

        return TypedResults.Problem(title: title, statusCode: StatusCodes.Status401Unauthorized);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A spent refresh token of session {SessionId} was presented again; the session was ended")]
    private static partial void LogReused(ILogger logger, string sessionId);
}
