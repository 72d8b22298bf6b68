using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Live;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Rooms;

/// <summary>Read-side queries about rooms: async, untracked.</summary>
public sealed class RoomQueries(IDbContextFactory<ChatDbContext> contexts, ConnectionRegistry connections, IOnlineElsewhere elsewhere)
{
    /// <summary>Public rooms and the caller's private rooms and DMs, with unread and mention counts derived from seqs.</summary>
    public async Task<IReadOnlyList<RoomInfo>> ListAsync(ChatUser user, CancellationToken cancellationToken) =>
        await QueryInfo(user, null, cancellationToken);

    /// <summary>One room as <paramref name="user"/> sees it (after a join, an invitation, a read marker).</summary>
    public async Task<RoomInfo> GetInfoAsync(ChatUser user, string room, CancellationToken cancellationToken) =>
        (await QueryInfo(user, room, cancellationToken)).SingleOrDefault()
            ?? throw ReadAccess.NoReadableRoom(room);

    private async Task<List<RoomInfo>> QueryInfo(ChatUser user, string? only, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = new List<InfoRow>();
        await foreach (var row in Info.For(db)(db, user.Id, only).WithCancellation(cancellationToken))
        {
            rows.Add(row);
        }

        return rows.ConvertAll(r => new RoomInfo
        {
            Name = r.Name,
            IsPrivate = r.IsPrivate,
            IsDirect = r.IsDirect,
            DirectWith = r.DirectWith ?? (r.IsDirect ? DirectPeerFromName(r.Name, user.Name) : null),
            Owner = r.Owner,
            LastSeq = r.LastSeq,
            IsArchived = r.IsArchived,
            IsMember = r.IsMember,
            LastReadSeq = r.LastReadSeq,
            Unread = r.Unread,
            Mentions = r.Mentions,
            Topic = r.Topic,
            MemberCount = r.MemberCount,
        });
    }

    // If the other person left the DM, the room's name still says who they are.
    private static string DirectPeerFromName(string room, string self)
    {
        var names = room[1..].Split(':');
        return string.Equals(names[0], self, StringComparison.OrdinalIgnoreCase) ? names[1] : names[0];
    }

    // Every room's info, or one room's (only: its name): the join answers with it on every connect of the bench's bots.
    // The null test of a parameter is settled when EF builds the SQL, so the one-room form is still a lookup by name.
    private static readonly PerContextQuery<Func<ChatDbContext, long, string?, IAsyncEnumerable<InfoRow>>> Info = new(() => EF.CompileAsyncQuery(
        (ChatDbContext db, long userId, string? only) => db.Rooms
            .Where(r => r.DeletedAt == null && (only == null || r.Name == only))
            .Select(r => new { Room = r, Member = db.RoomMembers.FirstOrDefault(m => m.RoomId == r.Id && m.UserId == userId) })
            .Where(x => !x.Room.IsPrivate || x.Member != null) // ReadAccess.CanRead, in SQL
            .OrderBy(x => x.Room.IsDirect).ThenBy(x => x.Room.Name)
            .Select(x => new InfoRow
            {
                Name = x.Room.Name,
                IsPrivate = x.Room.IsPrivate,
                IsDirect = x.Room.IsDirect,
                LastSeq = x.Room.LastSeq,
                IsArchived = x.Room.ArchivedAt != null,
                Topic = x.Room.Topic,
                MemberCount = db.RoomMembers.Count(m => m.RoomId == x.Room.Id),
                IsMember = x.Member != null,
                LastReadSeq = x.Member == null ? 0 : x.Member.LastReadSeq,
                Owner = db.Users.Where(u => u.Id == x.Room.OwnerId).Select(u => u.UserName).FirstOrDefault(),
                DirectWith = x.Room.IsDirect
                    ? db.RoomMembers.Where(m => m.RoomId == x.Room.Id && m.UserId != userId)
                        .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u.UserName).FirstOrDefault()
                    : null,
                Unread = x.Member == null ? 0 : db.LogEntries.Count(e => e.RoomId == x.Room.Id && e.Seq > x.Member.LastReadSeq
                    && e.Kind == EntryKinds.Message && e.DeletedAt == null && e.SenderId != userId),
                Mentions = x.Member == null ? 0 : db.Mentions.Count(m => m.UserId == userId && m.RoomId == x.Room.Id && m.Seq > x.Member.LastReadSeq),
            })));

    private sealed class InfoRow
    {
        public required string Name { get; init; }
        public bool IsPrivate { get; init; }
        public bool IsDirect { get; init; }
        public long LastSeq { get; init; }
        public bool IsArchived { get; init; }
        public string? Topic { get; init; }
        public int MemberCount { get; init; }
        public bool IsMember { get; init; }
        public long LastReadSeq { get; init; }
        public string? Owner { get; init; }
        public string? DirectWith { get; init; }
        public int Unread { get; init; }
        public int Mentions { get; init; }
    }

    /// <summary>Everyone who shares at least one room with the user (presence goes to them).</summary>
    public async Task<IReadOnlyList<string>> RoommateIdsAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = new List<string>();
        await foreach (var id in Roommates.For(db)(db, userId).WithCancellation(cancellationToken))
        {
            ids.Add(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids;
    }

    private static readonly PerContextQuery<Func<ChatDbContext, long, IAsyncEnumerable<long>>> Roommates = new(() => EF.CompileAsyncQuery(
        (ChatDbContext db, long userId) => db.RoomMembers
            .Where(m => db.RoomMembers.Where(mine => mine.UserId == userId).Select(mine => mine.RoomId).Contains(m.RoomId) && m.UserId != userId)
            .Select(m => m.UserId).Distinct()));

    /// <summary>The room and the caller's rights in it; a missing room and a private room the caller cannot read look alike.</summary>
    public async Task<RoomAccess> GetReadableAsync(ChatUser user, string room, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var access = await Readable.For(db)(db, name, user.Id, cancellationToken);
        if (access is null || !access.CanRead)
        {
            throw ReadAccess.NoReadableRoom(name);
        }

        return access;
    }

    // Every hub call on a room starts here (typing, history, members): compiled, like the connect path's queries.
    private static readonly PerContextQuery<Func<ChatDbContext, string, long, CancellationToken, Task<RoomAccess?>>> Readable = new(() => EF.CompileAsyncQuery(
        (ChatDbContext db, string name, long userId, CancellationToken _) => db.Rooms.Where(r => r.Name == name && r.DeletedAt == null)
            .Select(r => new RoomAccess(r.Id, r.Name, r.IsPrivate, db.RoomMembers.Any(m => m.RoomId == r.Id && m.UserId == userId), r.OwnerId))
            .FirstOrDefault()));

    /// <summary>Like <see cref="GetReadableAsync"/>, for operations only members may do.</summary>
    public async Task<RoomAccess> GetMembershipAsync(ChatUser user, string room, CancellationToken cancellationToken)
    {
        var access = await GetReadableAsync(user, room, cancellationToken);
        return access.IsMember ? access : throw ChatException.Forbidden($"You are not a member of '{access.Name}'; join it first.");
    }

    public async Task<IReadOnlyList<MemberInfo>> MembersAsync(ChatUser user, string room, CancellationToken cancellationToken)
    {
        var access = await GetReadableAsync(user, room, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var members = await db.RoomMembers.Where(m => m.RoomId == access.RoomId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.UserName })
            .OrderBy(u => u.UserName)
            .ToListAsync(cancellationToken);
        var elsewhereOnline = await elsewhere.OnlineAsync(members.Select(m => m.Id).ToList(), cancellationToken);
        return members.ConvertAll(m => new MemberInfo(m.UserName, connections.IsOnline(m.Id) || elsewhereOnline.Contains(m.Id), m.Id == access.OwnerId));
    }
}
