using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Live;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Admin;

/// <summary>Disables (and ends every session of) an account, or enables it again. Returns the sessions it ended.</summary>
public sealed class SetUserDisabled(string userName, bool disabled, DateTimeOffset now) : WriteCommand<IReadOnlyList<string>>
{
    protected override async Task<IReadOnlyList<string>> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var user = await db.Users.AsTracking().FirstOrDefaultAsync(u => u.UserName == userName, cancellationToken)
            ?? throw ChatException.NotFound($"There is no user named '{userName}'.");
        user.DisabledAt = disabled ? user.DisabledAt ?? now : null;
        List<UserSession> ended = [];
        if (disabled)
        {
            ended = await db.Sessions.AsTracking().Where(s => s.UserId == user.Id && s.RevokedAt == null).ToListAsync(cancellationToken);
            ended.ForEach(s => s.RevokedAt = now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return ended.ConvertAll(s => s.Id);
    }
}

/// <summary>Grants or takes away the admin role stored on the account (configured admins stay admins regardless).</summary>
public sealed class SetUserAdmin(string userName, bool isAdmin) : WriteCommand<bool>
{
    protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var updated = await context.Db.Users.Where(u => u.UserName == userName)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.IsAdmin, isAdmin), cancellationToken);
        return updated > 0 ? true : throw ChatException.NotFound($"There is no user named '{userName}'.");
    }
}

/// <summary>
/// Archives a room (readable, no new entries) or opens it again, by its owner or an admin (a null caller is the admin
/// REST API). The owner check runs inside the write, as DeleteRoom's does, so it sees the same room the change touches.
/// Returns whether the room is private, which decides who hears of the change.
/// </summary>
public sealed class SetRoomArchived(ChatUser? caller, bool isAdmin, string name, bool archived, DateTimeOffset now) : WriteCommand<bool>
{
    protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var room = isAdmin || caller is null
            ? await db.FindRoomAsync(name, cancellationToken)
            : await db.RequireOwnedRoomAsync(caller, name, archived ? "archive it" : "unarchive it", cancellationToken);
        if (room.IsDirect)
        {
            throw ChatException.Invalid("A direct conversation cannot be archived.");
        }

        room.ArchivedAt = archived ? room.ArchivedAt ?? now : null;
        await db.SaveChangesAsync(cancellationToken);
        return room.IsPrivate;
    }
}

/// <summary>
/// Deletes a room for everyone, by its owner or an admin. Soft: the room, its log and its memberships stay in the
/// database (its name stays taken); every query leaves it out from now on, and its members' connections leave its group.
/// </summary>
public sealed class DeleteRoom(ChatUser caller, bool isAdmin, string name, DateTimeOffset now) : WriteCommand<DeletedRoom>
{
    protected override async Task<DeletedRoom> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var room = isAdmin ? await db.FindRoomAsync(name, cancellationToken) : await db.RequireOwnedRoomAsync(caller, name, "delete it", cancellationToken);
        if (room.IsDirect)
        {
            throw ChatException.Invalid("A direct conversation cannot be deleted.");
        }

        room.DeletedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        var members = await db.RoomMembers.Where(m => m.RoomId == room.Id).Select(m => m.UserId).ToListAsync(cancellationToken);
        foreach (var member in members)
        {
            // Placed in the room's log like any removal, so on every node of a cluster a member still gets the
            // entries sent before the deletion, whichever order Redis brings the deletion and them in.
            await context.ChangeGroupAsync(new GroupChange(room.Name, Join: false, UserId: member), room.Id, cancellationToken);
        }

        return new DeletedRoom(members, room.IsPrivate);
    }
}

/// <summary>Who was in the deleted room, and whether anyone else could see it (a public room was in everyone's directory).</summary>
public sealed record DeletedRoom(IReadOnlyList<long> Members, bool IsPrivate);
