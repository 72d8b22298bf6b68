using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Rooms;

/// <summary>Lookups and steps the room commands share, run on the writer's context.</summary>
internal static class RoomLookups
{
    public static async Task<Room> FindRoomAsync(this ChatDbContext db, string name, CancellationToken cancellationToken) =>
        await RoomByName.For(db)(db, name, cancellationToken)
            ?? throw ChatException.NotFound($"There is no room named '{name}'.");

    // Compiled (see PerContextQuery): a join and a connect run these on the writer's context every time.
    private static readonly PerContextQuery<Func<ChatDbContext, string, CancellationToken, Task<Room?>>> RoomByName = new(() => EF.CompileAsyncQuery(
        (ChatDbContext db, string name, CancellationToken _) => db.Rooms.AsTracking().FirstOrDefault(r => r.Name == name && r.DeletedAt == null)));

    private static readonly PerContextQuery<Func<ChatDbContext, long, long, CancellationToken, Task<bool>>> Membership = new(() => EF.CompileAsyncQuery(
        (ChatDbContext db, long roomId, long userId, CancellationToken _) => db.RoomMembers.Any(m => m.RoomId == roomId && m.UserId == userId)));

    public static async Task<User> FindUserAsync(this ChatDbContext db, string userName, CancellationToken cancellationToken) =>
        await db.Users.FirstOrDefaultAsync(u => u.UserName == userName, cancellationToken)
            ?? throw ChatException.NotFound($"There is no user named '{userName}'.");

    public static Task<bool> IsMemberAsync(this ChatDbContext db, long roomId, long userId, CancellationToken cancellationToken) =>
        Membership.For(db)(db, roomId, userId, cancellationToken);

    /// <summary>Adds the membership if missing; returns whether it was added. Written at once, not at the next SaveChanges.</summary>
    public static async Task<bool> AddMemberAsync(this WriteContext context, long roomId, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await context.Db.IsMemberAsync(roomId, userId, cancellationToken))
        {
            return false;
        }

        // One of the writer's kept statements: through SaveChanges a join built EF's update pipeline again each time.
        var insert = context.Statement(InsertMemberSql.For(context.Db), static c =>
        {
            StatementParameters.Add(c, "@room", 0L);
            StatementParameters.Add(c, "@user", 0L);
            StatementParameters.Add(c, "@joinedAt", DateTimeOffset.UnixEpoch);
        });
        insert.Parameters[0].Value = roomId;
        insert.Parameters[1].Value = userId;
        insert.Parameters[2].Value = now;
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    /// <summary>The membership insert, with the model's names (parameters @room, @user, @joinedAt).</summary>
    private static readonly PerModelSql<string> InsertMemberSql = new(names => $"""
        INSERT INTO {names.Table<RoomMember>()} ({names.Column<RoomMember>(nameof(RoomMember.RoomId))}, {names.Column<RoomMember>(nameof(RoomMember.UserId))},
            {names.Column<RoomMember>(nameof(RoomMember.JoinedAt))}, {names.Column<RoomMember>(nameof(RoomMember.LastReadSeq))})
        VALUES (@room, @user, @joinedAt, 0)
        """);
}
