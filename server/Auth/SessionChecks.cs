using System.Collections.Concurrent;
using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Auth;

/// <summary>
/// Asks the database which sessions have ended. A signed access token alone cannot say that its session was
/// revoked or its account disabled since it was issued; the database can, and it is shared by every node.
/// </summary>
public sealed class SessionChecks(IDbContextFactory<ChatDbContext> contexts, TimeProvider clock)
{
    /// <summary>
    /// One session, on every authenticated request and hub connect: until when it lasts (its expiry), or null when it
    /// has ended. A compiled query on the session's key: with a list form (Contains over a list parameter) EF builds the
    /// SQL again on every call, under a lock: in a reconnect storm of 1,000 clients the session check was a fifth of all
    /// thread time, most of it waiting on that lock and on the query cache's.
    /// </summary>
    public async Task<DateTimeOffset?> LiveUntilAsync(string? sessionId, CancellationToken cancellationToken)
    {
        if (sessionId is null)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var session = await SessionStateFor(db)(db, sessionId, cancellationToken);
        return session is { RevokedAt: null, Disabled: false } && session.ExpiresAt > clock.GetUtcNow() ? session.ExpiresAt : null;
    }

    // A compiled query keeps the first model and provider it ran with, and one test process runs servers on both
    // SQLite and PostgreSQL: one compiled query per context type (there are two).
    private static readonly ConcurrentDictionary<Type, Func<ChatDbContext, string, CancellationToken, Task<SessionRow?>>> SessionStates = new();

    private static Func<ChatDbContext, string, CancellationToken, Task<SessionRow?>> SessionStateFor(ChatDbContext db) =>
        SessionStates.GetOrAdd(db.GetType(), static _ => EF.CompileAsyncQuery(
            (ChatDbContext db, string id, CancellationToken _) => db.Sessions.Where(s => s.Id == id)
                .Select(s => new SessionRow(s.RevokedAt, s.ExpiresAt, db.Users.Any(u => u.Id == s.UserId && u.DisabledAt != null)))
                .FirstOrDefault()));

    // Dates are compared in .NET, not in SQL: SQLite stores DateTimeOffset as text that EF cannot order.
    private sealed record SessionRow(DateTimeOffset? RevokedAt, DateTimeOffset ExpiresAt, bool Disabled);

    /// <summary>Whether <paramref name="token"/> is its session's current refresh token.</summary>
    public async Task<bool> IsCurrentAsync(string token, CancellationToken cancellationToken)
    {
        var id = RefreshTokens.SessionIdOf(token);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hash = await db.Sessions.Where(s => s.Id == id).Select(s => s.RefreshTokenHash).FirstOrDefaultAsync(cancellationToken);
        return hash is not null && RefreshTokens.Matches(hash, token);
    }

    /// <summary>The number of the newest session end stored so far (0 when none): where a watch starts reading.</summary>
    public async Task<long> LastEndAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.SessionEnds.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
    }

    /// <summary>The session ends numbered after <paramref name="after"/>: none at all, on most checks.</summary>
    public async Task<IReadOnlyList<Ended>> EndsAfterAsync(long after, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ended = new List<Ended>();
        await foreach (var end in EndsAfterFor(db)(db, after).WithCancellation(cancellationToken))
        {
            ended.Add(end);
        }

        return ended;
    }

    private static readonly ConcurrentDictionary<Type, Func<ChatDbContext, long, IAsyncEnumerable<Ended>>> EndsAfterQueries = new();

    private static Func<ChatDbContext, long, IAsyncEnumerable<Ended>> EndsAfterFor(ChatDbContext db) =>
        EndsAfterQueries.GetOrAdd(db.GetType(), static _ => EF.CompileAsyncQuery(
            (ChatDbContext db, long after) => db.SessionEnds.Where(e => e.Id > after).Select(e => new Ended(e.Id, e.SessionId))));

    /// <summary>One stored session end: its number and the session.</summary>
    public sealed record Ended(long Id, string SessionId);
}
