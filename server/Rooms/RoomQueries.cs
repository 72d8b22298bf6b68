using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Rooms;

/// <summary>What a caller may see of a room, resolved in one query.</summary>
public sealed record RoomAccess(long RoomId, string Name, bool IsPrivate, bool IsMember, long LastSeq)
{
    public bool CanRead => !IsPrivate || IsMember;
}

/// <summary>Read-side queries about rooms: async, untracked.</summary>
public sealed class RoomQueries(IDbContextFactory<ChatDbContext> contexts)
{
    public async Task<IReadOnlyList<RoomInfo>> ListAsync(ChatUser user, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Rooms
            .Select(r => new { Room = r, IsMember = db.RoomMembers.Any(m => m.RoomId == r.Id && m.UserId == user.Id) })
            .Where(x => !x.Room.IsPrivate || x.IsMember)
            .OrderBy(x => x.Room.Name)
            .Select(x => new RoomInfo { Name = x.Room.Name, IsPrivate = x.Room.IsPrivate, LastSeq = x.Room.LastSeq, IsMember = x.IsMember })
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> MemberRoomNamesAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.RoomMembers.Where(m => m.UserId == userId)
            .Join(db.Rooms, m => m.RoomId, r => r.Id, (m, r) => r.Name)
            .ToListAsync(cancellationToken);
    }

    /// <summary>The room and the caller's rights in it; a missing room and a private room the caller cannot read look alike.</summary>
    public async Task<RoomAccess> GetReadableAsync(ChatUser user, string room, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var access = await db.Rooms.Where(r => r.Name == name)
            .Select(r => new RoomAccess(r.Id, r.Name, r.IsPrivate, db.RoomMembers.Any(m => m.RoomId == r.Id && m.UserId == user.Id), r.LastSeq))
            .FirstOrDefaultAsync(cancellationToken);
        if (access is null || !access.CanRead)
        {
            throw ChatException.NotFound($"There is no room named '{name}' that you can read.");
        }

        return access;
    }
}
