using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Auth;

/// <summary>Stores a new session for a login that passed its password check.</summary>
public sealed class StartSession(long userId, string sessionId, string refreshToken, DateTimeOffset now, DateTimeOffset expiresAt) : WriteCommand<bool>
{
    protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var insert = context.Statement(AuthSql.For(context.Db).InsertSession, static c =>
        {
            StatementParameters.Add(c, "@id", "");
            StatementParameters.Add(c, "@user", 0L);
            StatementParameters.Add(c, "@hash", "");
            StatementParameters.Add(c, "@createdAt", DateTimeOffset.UnixEpoch);
            StatementParameters.Add(c, "@expiresAt", DateTimeOffset.UnixEpoch);
        });
        insert.Parameters[0].Value = sessionId;
        insert.Parameters[1].Value = userId;
        insert.Parameters[2].Value = RefreshTokens.Hash(refreshToken);
        insert.Parameters[3].Value = now;
        insert.Parameters[4].Value = expiresAt;
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }
}

public enum RotationOutcome
{
    Rotated,

    /// <summary>Not a token of any session: nothing changes.</summary>
    Unknown,

    /// <summary>The session was already revoked, has expired, or its account is disabled.</summary>
    Ended,

    /// <summary>An older token of a live session came back: someone holds a copy, so the session is ended now.</summary>
    Reused,

    /// <summary>The token just replaced, from the same browser within the grace period: an access token, no rotation.</summary>
    JustRotated,
}

public sealed record Rotation(RotationOutcome Outcome, string? SessionId = null, User? User = null);

/// <summary>
/// Spends a refresh token: the session's hash moves on to <paramref name="nextToken"/> and its expiry slides.
/// A refused rotation returns (never throws) so that revoking a reused session still commits.
/// </summary>
/// <param name="grace">How long the replaced token still buys an access token (browsers' cookie, shared by tabs); zero for others.</param>
public sealed class RotateSession(string presented, string nextToken, DateTimeOffset now, DateTimeOffset expiresAt, TimeSpan grace) : WriteCommand<Rotation>
{
    protected override async Task<Rotation> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var id = RefreshTokens.SessionIdOf(presented);
        var session = id is null ? null : await db.Sessions.AsTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (session is null)
        {
            return new Rotation(RotationOutcome.Unknown);
        }

        var user = await db.Users.FirstAsync(u => u.Id == session.UserId, cancellationToken);
        if (session.RevokedAt is not null || session.ExpiresAt <= now || user.DisabledAt is not null)
        {
            return new Rotation(RotationOutcome.Ended, session.Id);
        }

        if (!RefreshTokens.Matches(session.RefreshTokenHash, presented)
            && session.PreviousRefreshTokenHash is { } previous && RefreshTokens.Matches(previous, presented)
            && now - session.RefreshedAt <= grace)
        {
            return new Rotation(RotationOutcome.JustRotated, session.Id, user);
        }

        if (!RefreshTokens.Matches(session.RefreshTokenHash, presented))
        {
            session.RevokedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            return new Rotation(RotationOutcome.Reused, session.Id);
        }

        session.PreviousRefreshTokenHash = session.RefreshTokenHash;
        session.RefreshTokenHash = RefreshTokens.Hash(nextToken);
        session.RefreshedAt = now;
        session.ExpiresAt = expiresAt;
        await db.SaveChangesAsync(cancellationToken);
        return new Rotation(RotationOutcome.Rotated, session.Id, user);
    }
}

/// <summary>Revokes sessions: one (logout), or every live session of a user (account disabled). Returns the ids it ended.</summary>
public sealed class RevokeSessions(string? sessionId, long? userId, DateTimeOffset now) : WriteCommand<IReadOnlyList<string>>
{
    protected override async Task<IReadOnlyList<string>> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var live = context.Db.Sessions.AsTracking().Where(s => s.RevokedAt == null);
        live = sessionId is not null ? live.Where(s => s.Id == sessionId) : live.Where(s => s.UserId == userId);
        var sessions = await live.ToListAsync(cancellationToken);
        foreach (var session in sessions)
        {
            session.RevokedAt = now;
        }

        await context.Db.SaveChangesAsync(cancellationToken);
        return sessions.ConvertAll(s => s.Id);
    }
}
