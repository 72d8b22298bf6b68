using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Auth;

/// <summary>Creates an account and makes it a member of the default room.</summary>
public sealed class RegisterUser(string userName, string passwordHash, DateTimeOffset now) : WriteCommand<ChatUser>
{
    protected override async Task<ChatUser> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        if (await db.Users.AnyAsync(u => u.UserName == userName, cancellationToken))
        {
            throw ChatException.Conflict($"The user name '{userName}' is taken.");
        }

        var user = new User { UserName = userName, PasswordHash = passwordHash, CreatedAt = now };
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);

        var general = await db.Rooms.Where(r => r.Name == RoomNames.Default).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken);
        if (general is long roomId)
        {
            db.RoomMembers.Add(new RoomMember { RoomId = roomId, UserId = user.Id, JoinedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }

        return new ChatUser(user.Id, user.UserName);
    }
}
