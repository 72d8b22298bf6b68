using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Auth;

/// <summary>Creates an account. Joining rooms (even the default one) is the client's choice.</summary>
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

        return new ChatUser(user.Id, user.UserName);
    }
}
