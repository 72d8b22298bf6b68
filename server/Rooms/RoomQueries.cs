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
        var rooms = db.Rooms.Where(r => r.DeletedAt == null);
        if (only is not null)
        {
            rooms = rooms.Where(r => r.Name == only);
        }

        var rows = await rooms
            .Select(r => new { Room = r, Member = db.RoomMembers.FirstOrDefault(m => m.RoomId == r.Id && m.UserId == user.Id) })
            .Where(x => !x.Room.IsPrivate || x.Member != null) // ReadAccess.CanRead, in SQL
            .OrderBy(x => x.Room.IsDirect).ThenBy(x => x.Room.Name)
            .Select(x => new
            {
                x.Room.Name,
                x.Room.IsPrivate,
                x.Room.IsDirect,
                x.Room.LastSeq,
                IsArchived = x.Room.ArchivedAt != null,
                x.Room.Topic,
                MemberCount = db.RoomMembers.Count(m => m.RoomId == x.Room.Id),
                IsMember = x.Member != null,
                LastReadSeq = x.Member == null ? 0 : x.Member.LastReadSeq,
                Owner = db.Users.Where(u => u.Id == x.Room.OwnerId).Select(u => u.UserName).FirstOrDefault(),
                DirectWith = x.Room.IsDirect
                    ? db.RoomMembers.Where(m => m.RoomId == x.Room.Id && m.UserId != user.Id)
                        .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u.UserName).FirstOrDefault()
                    : null,
                Unread = x.Member == null ? 0 : db.LogEntries.Count(e => e.RoomId == x.Room.Id && e.Seq > x.Member.LastReadSeq
                    && e.Kind == EntryKinds.Message && e.DeletedAt == null && e.SenderId != user.Id),
                Mentions = x.Member == null ? 0 : db.Mentions.Count(m => m.UserId == user.Id && m.RoomId == x.Room.Id && m.Seq > x.Member.LastReadSeq),
            })
            .ToListAsync(cancellationToken);

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

    /// <summary>Everyone who shares at least one room with the user (presence goes to them).</summary>
    public async Task<IReadOnlyList<string>> RoommateIdsAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rooms = db.RoomMembers.Where(m => m.UserId == userId).Select(m => m.RoomId);
        var ids = await db.RoomMembers.Where(m => rooms.Contains(m.RoomId) && m.UserId != userId)
            .Select(m => m.UserId).Distinct().ToListAsync(cancellationToken);
        return ids.ConvertAll(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The room and the caller's rights in it; a missing room and a private room the caller cannot read look alike.</summary>
    public async Task<RoomAccess> GetReadableAsync(ChatUser user, string room, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var access = await db.Rooms.Where(r => r.Name == name && r.DeletedAt == null)
            .Select(r => new RoomAccess(r.Id, r.Name, r.IsPrivate, db.RoomMembers.Any(m => m.RoomId == r.Id && m.UserId == user.Id), r.OwnerId))
            .FirstOrDefaultAsync(cancellationToken);
        if (access is null || !access.CanRead)
        {
            throw ReadAccess.NoReadableRoom(name);
        }

        return access;
    }

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
