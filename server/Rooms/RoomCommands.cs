using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Rooms;

public sealed class CreateRoom(ChatUser owner, string name, bool isPrivate, DateTimeOffset now) : WriteCommand<RoomInfo>
{
    protected override async Task<RoomInfo> RunAsync(WriteContext context, CancellationToken cancellationToken)
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
        return new RoomInfo { Name = room.Name, IsPrivate = isPrivate, LastSeq = 0, IsMember = true };
    }
}

public sealed class JoinRoom(ChatUser user, string name, DateTimeOffset now) : WriteCommand<RoomInfo>
{
    protected override async Task<RoomInfo> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var room = await db.Rooms.FirstOrDefaultAsync(r => r.Name == name, cancellationToken)
            ?? throw ChatException.NotFound($"There is no room named '{name}'.");
        var isMember = await db.RoomMembers.AnyAsync(m => m.RoomId == room.Id && m.UserId == user.Id, cancellationToken);
        if (!isMember)
        {
            if (room.IsPrivate)
            {
                throw ChatException.Forbidden($"Room '{name}' is private; only its owner can add you.");
            }

            db.RoomMembers.Add(new RoomMember { RoomId = room.Id, UserId = user.Id, JoinedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }

        return new RoomInfo { Name = room.Name, IsPrivate = room.IsPrivate, LastSeq = room.LastSeq, IsMember = true };
    }
}

public sealed class LeaveRoom(ChatUser user, string name) : WriteCommand<bool>
{
    protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var roomId = await db.Rooms.Where(r => r.Name == name).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw ChatException.NotFound($"There is no room named '{name}'.");
        var removed = await db.RoomMembers.Where(m => m.RoomId == roomId && m.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        return removed > 0;
    }
}
