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

    public async Task<bool> IsLiveAsync(string? sessionId, CancellationToken cancellationToken) =>
        sessionId is not null && (await EndedAsync([sessionId], cancellationToken)).Count == 0;

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
            var rows = await db.Sessions.Where(s => chunk.Contains(s.Id))
                .Select(s => new { s.Id, s.RevokedAt, s.ExpiresAt, Disabled = db.Users.Any(u => u.Id == s.UserId && u.DisabledAt != null) })
                .ToListAsync(cancellationToken);
            var live = rows.Where(r => r.RevokedAt is null && r.ExpiresAt > now && !r.Disabled).Select(r => r.Id).ToHashSet();
            ended.AddRange(chunk.Where(id => !live.Contains(id)));
        }

        return ended;
    }
}
