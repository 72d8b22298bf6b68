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
    private const int Chunk = 500;

    /// <summary>
    /// One session, on every authenticated request and hub connect: a compiled query on the session's key. With
    /// the list form (<see cref="EndedAsync"/>, Contains over a list parameter) EF builds the SQL again on every
    /// call, under a lock: in a reconnect storm of 1,000 clients the session check was a fifth of all thread
    /// time, most of it waiting on that lock and on the query cache's.
    /// </summary>
    public async Task<bool> IsLiveAsync(string? sessionId, CancellationToken cancellationToken)
    {
        if (sessionId is null)
        {
            return false;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var session = await SessionStateFor(db)(db, sessionId, cancellationToken);
        return session is { RevokedAt: null, Disabled: false } && session.ExpiresAt > clock.GetUtcNow();
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

    /// <summary>Those of <paramref name="sessionIds"/> that are revoked, expired, unknown, or whose account is disabled.</summary>
    public async Task<IReadOnlyList<string>> EndedAsync(IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken)
    {
        var ended = new List<string>();
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var chunk in sessionIds.Chunk(Chunk))
        {
            // Dates are compared here, not in SQL: SQLite stores DateTimeOffset as text that EF cannot order.
            // One parameter holding the whole list (json_each on SQLite, = ANY on PostgreSQL) instead of EF's default of
            // one parameter per id: with thousands of connections open this check runs every couple of seconds, and 500
            // parameters a statement made it most of what an idle server allocates (bench/README.md, "Memory per connection").
            var rows = await db.Sessions.Where(s => EF.Parameter(chunk).Contains(s.Id))
                .Select(s => new { s.Id, s.RevokedAt, s.ExpiresAt, Disabled = db.Users.Any(u => u.Id == s.UserId && u.DisabledAt != null) })
                .ToListAsync(cancellationToken);
            var live = rows.Where(r => r.RevokedAt is null && r.ExpiresAt > now && !r.Disabled).Select(r => r.Id).ToHashSet();
            ended.AddRange(chunk.Where(id => !live.Contains(id)));
        }

        return ended;
    }
}
