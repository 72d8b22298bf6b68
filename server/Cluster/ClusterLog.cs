using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Live;
using ChatApp.Server.Messages;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Cluster;

/// <summary>What the ordered fan-out reads from the shared database: entries and membership changes it missed, and how far rooms' logs reach.</summary>
public interface IClusterLog
{
    /// <summary>The entries (<paramref name="after"/>, <paramref name="upTo"/>] of <paramref name="room"/>, in seq order, as they went out live.</summary>
    Task<IReadOnlyList<ChatMessage>> EntriesAsync(string room, long after, long upTo, CancellationToken cancellationToken);

    /// <summary>
    /// The stored membership changes of <paramref name="room"/> after <paramref name="afterVersion"/> up to
    /// <paramref name="upToVersion"/>, and any later ones placed before entry <paramref name="beforeSeq"/>, in version order.
    /// </summary>
    Task<IReadOnlyList<GroupChange>> ChangesAsync(string room, long afterVersion, long upToVersion, long beforeSeq, CancellationToken cancellationToken);

    /// <summary>The last stored change of <paramref name="userId"/> in <paramref name="room"/> in (<paramref name="afterVersion"/>, <paramref name="upToVersion"/>], or null.</summary>
    Task<GroupChange?> LatestChangeAsync(string room, long userId, long afterVersion, long upToVersion, CancellationToken cancellationToken);

    /// <summary>The last seq and the member version of each of these rooms.</summary>
    Task<IReadOnlyDictionary<string, (long LastSeq, long MemberVersion)>> LastSeqsAsync(IReadOnlyCollection<string> rooms, CancellationToken cancellationToken);

    /// <summary>Which of these (room, user) pairs are stored memberships of rooms that still exist.</summary>
    Task<IReadOnlySet<(string Room, long UserId)>> MembersAsync(IReadOnlyCollection<(string Room, long UserId)> pairs, CancellationToken cancellationToken);
}

/// <summary>
/// Reads the log through EF Core. A published entry is committed (the publish follows the commit, and the
/// room's row lock commits seq N before N + 1 can be taken), so whatever a gap lacks is there to read.
/// </summary>
public sealed class ClusterLog(IDbContextFactory<ChatDbContext> contexts) : IClusterLog
{
    private const int MaxRead = 1_000;

    public async Task<IReadOnlyList<ChatMessage>> EntriesAsync(string room, long after, long upTo, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.LogEntries.AsNoTracking()
            .Where(e => e.Room!.Name == room && e.Seq > after && e.Seq <= upTo)
            .OrderBy(e => e.Seq)
            .Take(MaxRead)
            .Select(e => new { e.RoomId, e.SenderId, Message = WireMessages.From(e, e.Room!.Name, e.Sender!.UserName) })
            .ToListAsync(cancellationToken);
        var entries = new List<ChatMessage>(rows.Count);
        foreach (var row in rows)
        {
            // A live reaction marks "mine" for its sender, so the re-read does the same, one entry at a time (gaps are rare).
            entries.AddRange(await EntryAssembler.CompleteAsync(db, row.RoomId, [row.Message], row.SenderId, cancellationToken));
        }

        return entries;
    }

    public async Task<IReadOnlySet<(string Room, long UserId)>> MembersAsync(IReadOnlyCollection<(string Room, long UserId)> pairs, CancellationToken cancellationToken)
    {
        var found = new HashSet<(string, long)>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var chunk in pairs.Select(p => p.Room).Distinct().Chunk(200))
        {
            var users = pairs.Where(p => chunk.Contains(p.Room)).Select(p => p.UserId).Distinct().ToList();
            var rows = await db.RoomMembers
                .Join(db.Rooms.Where(r => chunk.Contains(r.Name) && r.DeletedAt == null), m => m.RoomId, r => r.Id, (m, r) => new { r.Name, m.UserId })
                .Where(m => users.Contains(m.UserId))
                .ToListAsync(cancellationToken);
            found.UnionWith(rows.Select(r => (r.Name, r.UserId)));
        }

        return found;
    }

    public async Task<IReadOnlyDictionary<string, (long LastSeq, long MemberVersion)>> LastSeqsAsync(IReadOnlyCollection<string> rooms, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var chunk in rooms.Chunk(500))
        {
            // Both from one row version: a real place in the room's order.
            var rows = await db.Rooms.AsNoTracking().Where(r => chunk.Contains(r.Name))
                .Select(r => new { r.Name, r.LastSeq, r.MemberVersion }).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                result[row.Name] = (row.LastSeq, row.MemberVersion);
            }
        }

        return result;
    }

    public async Task<IReadOnlyList<GroupChange>> ChangesAsync(string room, long afterVersion, long upToVersion, long beforeSeq, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.RoomMemberChanges.AsNoTracking()
            .Join(db.Rooms.Where(r => r.Name == room), c => c.RoomId, r => r.Id, (c, r) => c)
            .Where(c => c.Version > afterVersion && (c.Version <= upToVersion || c.AtSeq < beforeSeq))
            .OrderBy(c => c.Version)
            .Take(MaxRead)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(c => ToChange(room, c))];
    }

    public async Task<GroupChange?> LatestChangeAsync(string room, long userId, long afterVersion, long upToVersion, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.RoomMemberChanges.AsNoTracking()
            .Join(db.Rooms.Where(r => r.Name == room), c => c.RoomId, r => r.Id, (c, r) => c)
            .Where(c => c.UserId == userId && c.Version > afterVersion && c.Version <= upToVersion)
            .OrderByDescending(c => c.Version)
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToChange(room, row);
    }

    private static GroupChange ToChange(string room, RoomMemberChange change) =>
        new(room, change.Join, UserId: change.UserId, AtSeq: change.AtSeq, Version: change.Version);
}
