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
        if (await NameTaken.For(db)(db, userName, cancellationToken))
        {
            throw ChatException.Conflict($"The user name '{userName}' is taken.");
        }

        var insert = context.Statement(AuthSql.For(db).InsertUser, static c =>
        {
            StatementParameters.Add(c, "@name", "");
            StatementParameters.Add(c, "@hash", "");
            StatementParameters.Add(c, "@createdAt", DateTimeOffset.UnixEpoch);
            StatementParameters.Add(c, "@isAdmin", false);
        });
        insert.Parameters[0].Value = userName;
        insert.Parameters[1].Value = passwordHash;
        insert.Parameters[2].Value = now;
        insert.Parameters[3].Value = false;
        var id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!; // RETURNING always gives the new row's id
        return new ChatUser(id, userName);
    }

    private static readonly PerContextQuery<Func<ChatDbContext, string, CancellationToken, Task<bool>>> NameTaken = new(() => EF.CompileAsyncQuery(
        (ChatDbContext db, string userName, CancellationToken _) => db.Users.Any(u => u.UserName == userName)));
}
