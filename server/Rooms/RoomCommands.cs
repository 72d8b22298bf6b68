using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Live;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Rooms;

public sealed class CreateRoom(ChatUser owner, string name, bool isPrivate, DateTimeOffset now) : WriteCommand<MembershipChange>
{
    protected override async Task<MembershipChange> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        if (await db.Rooms.AnyAsync(r => r.Name == name, cancellationToken))
        {
            throw ChatException.Conflict($"A room named '{name}' already exists.");
        }

        var room = new Room { Name = name, IsPrivate = isPrivate, OwnerId = owner.Id, CreatedAt = now };
        db.Rooms.Add(room);
        await db.SaveChangesAsync(cancellationToken);
        db.RoomMembers.Add(new RoomMember { RoomId = room.Id, UserId = owner.Id, JoinedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        await context.ChangeGroupAsync(new GroupChange(name, Join: true, UserId: owner.Id), room.Id, cancellationToken);
        return new MembershipChange(name, owner.Id, owner.Name, Changed: true);
    }
}

public sealed class JoinRoom(ChatUser user, string name, DateTimeOffset now) : WriteCommand<MembershipChange>
{
    protected override async Task<MembershipChange> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var room = await db.FindRoomAsync(name, cancellationToken);
        var isMember = await db.IsMemberAsync(room.Id, user.Id, cancellationToken);
        if (!isMember && room.IsDirect)
        {
            // Whether two other people have a conversation is theirs to know.
            throw ChatException.NotFound($"There is no room named '{name}'.");
        }

        if (!isMember && room.IsPrivate)
        {
            throw ChatException.Forbidden($"Room '{name}' is private; only its owner can add you.");
        }

        var added = await context.AddMemberAsync(room.Id, user.Id, now, cancellationToken);
        await context.ChangeGroupAsync(new GroupChange(name, Join: true, UserId: user.Id), room.Id, cancellationToken);
        return new MembershipChange(name, user.Id, user.Name, added);
    }
}

public sealed class LeaveRoom(ChatUser user, string name) : WriteCommand<MembershipChange>
{
    protected override async Task<MembershipChange> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var room = await db.FindRoomAsync(name, cancellationToken);
        var removed = await db.RoomMembers.Where(m => m.RoomId == room.Id && m.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        if (removed == 0 && !ReadAccess.CanRead(room.IsPrivate, isMember: false))
        {
            throw ReadAccess.NoReadableRoom(name);
        }

        await context.ChangeGroupAsync(new GroupChange(name, Join: false, UserId: user.Id), room.Id, cancellationToken);
        return new MembershipChange(name, user.Id, user.Name, removed > 0);
    }
}

/// <summary>The owner adds someone to a room (the way into a private room).</summary>
public sealed class InviteToRoom(ChatUser owner, string name, string userName, DateTimeOffset now) : WriteCommand<MembershipChange>
{
    protected override async Task<MembershipChange> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var room = await db.RequireOwnedRoomAsync(owner, name, "invite people", cancellationToken);
        var invitee = await db.FindUserAsync(userName, cancellationToken);
        var added = await context.AddMemberAsync(room.Id, invitee.Id, now, cancellationToken);
        await context.ChangeGroupAsync(new GroupChange(name, Join: true, UserId: invitee.Id), room.Id, cancellationToken);
        return new MembershipChange(name, invitee.Id, invitee.UserName, added);
    }
}

/// <summary>The owner removes a member (moderation).</summary>
public sealed class RemoveFromRoom(ChatUser owner, string name, string userName) : WriteCommand<MembershipChange>
{
    protected override async Task<MembershipChange> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var room = await db.RequireOwnedRoomAsync(owner, name, "remove members", cancellationToken);
        var member = await db.FindUserAsync(userName, cancellationToken);
        if (member.Id == owner.Id)
        {
            throw ChatException.Invalid("You own this room; you cannot remove yourself. Use LeaveRoom to leave it.");
        }

        var removed = await db.RoomMembers.Where(m => m.RoomId == room.Id && m.UserId == member.Id).ExecuteDeleteAsync(cancellationToken);
        await context.ChangeGroupAsync(new GroupChange(name, Join: false, UserId: member.Id), room.Id, cancellationToken);
        return new MembershipChange(name, member.Id, member.UserName, removed > 0);
    }
}

/// <summary>Opens (or reopens) the direct-message room of two users; both end up members.</summary>
public sealed class OpenDirect(ChatUser caller, string otherName, DateTimeOffset now) : WriteCommand<(MembershipChange Caller, MembershipChange Other)>
{
    protected override async Task<(MembershipChange Caller, MembershipChange Other)> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var other = await db.FindUserAsync(otherName, cancellationToken);
        if (other.Id == caller.Id)
        {
            throw ChatException.Invalid("You cannot open a direct conversation with yourself.");
        }

        var name = RoomNames.Direct(caller.Name, other.UserName);
        var room = await db.Rooms.FirstOrDefaultAsync(r => r.Name == name, cancellationToken);
        if (room is null)
        {
            room = new Room { Name = name, IsPrivate = true, IsDirect = true, CreatedAt = now };
            db.Rooms.Add(room);
            await db.SaveChangesAsync(cancellationToken);
        }

        var callerAdded = await context.AddMemberAsync(room.Id, caller.Id, now, cancellationToken);
        var otherAdded = await context.AddMemberAsync(room.Id, other.Id, now, cancellationToken);
        await context.ChangeGroupAsync(new GroupChange(name, Join: true, UserId: caller.Id), room.Id, cancellationToken);
        await context.ChangeGroupAsync(new GroupChange(name, Join: true, UserId: other.Id), room.Id, cancellationToken);
        return (new MembershipChange(name, caller.Id, caller.Name, callerAdded), new MembershipChange(name, other.Id, other.UserName, otherAdded));
    }
}

/// <summary>
/// Puts a new connection into the groups of its user's rooms. It runs in the writer so that it is ordered
/// with membership changes: a removal committed after it also removes this connection, one committed
/// before it is already reflected in what it reads.
/// </summary>
public sealed class JoinMemberGroups(long userId, string connectionId) : WriteCommand<int>
{
    protected override async Task<int> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var room in RoomsOf.For(context.Db)(context.Db, userId).WithCancellation(cancellationToken))
        {
            // One statement reads the memberships and each room's (last seq, member version) from one snapshot: the join's place.
            context.ChangeGroup(new GroupChange(room.Name, Join: true, UserId: userId, ConnectionId: connectionId, AtSeq: room.LastSeq, Version: room.MemberVersion));
            count++;
        }

        return count;
    }

    // Compiled (see PerContextQuery): every connect runs it.
    private static readonly PerContextQuery<Func<ChatDbContext, long, IAsyncEnumerable<GroupPlace>>> RoomsOf = new(() => EF.CompileAsyncQuery(
        (ChatDbContext db, long userId) => db.RoomMembers.Where(m => m.UserId == userId)
            .Join(db.Rooms.Where(r => r.DeletedAt == null), m => m.RoomId, r => r.Id, (m, r) => new GroupPlace(r.Name, r.LastSeq, r.MemberVersion))));

    private sealed record GroupPlace(string Name, long LastSeq, long MemberVersion);
}

/// <summary>Moves the caller's read marker forward, never back and never past the room's last seq.</summary>
public sealed class MarkRead(ChatUser user, string name, long seq) : WriteCommand<bool>
{
    protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var room = await db.FindRoomAsync(name, cancellationToken);
        var target = Math.Min(seq, room.LastSeq);
        var updated = await db.RoomMembers
            .Where(m => m.RoomId == room.Id && m.UserId == user.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.LastReadSeq, m => m.LastReadSeq < target ? target : m.LastReadSeq), cancellationToken);
        return updated > 0 ? true
            : throw ReadAccess.RefuseNonMember(name, room.IsPrivate, ChatException.Forbidden($"You are not a member of '{name}'."));
    }
}
