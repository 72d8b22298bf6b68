using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>Shared steps of the commands that write to a room's log.</summary>
internal static class LogTargets
{
    public static async Task RequireMemberAsync(ChatDbContext db, Room room, ChatUser user, CancellationToken cancellationToken)
    {
        if (await db.IsMemberAsync(room.Id, user.Id, cancellationToken))
        {
            return;
        }

        throw NonMember(room.Name, room.IsPrivate);
    }

    /// <summary>
    /// Why a send into a room is refused (null: it is not), decided in memory from what a run read: the refusals
    /// <see cref="RequireMemberAsync"/> and <see cref="RequireOpen"/> give, in the same order.
    /// </summary>
    public static ChatException? RefuseSend(string roomName, bool isPrivate, bool isMember, bool archived) =>
        !isMember ? NonMember(roomName, isPrivate)
        : archived ? Archived(roomName)
        : null;

    private static ChatException NonMember(string roomName, bool isPrivate) =>
        ReadAccess.RefuseNonMember(roomName, isPrivate, ChatException.Forbidden($"You are not a member of '{roomName}'; join it first."));

    private static ChatException Archived(string roomName) =>
        ChatException.Forbidden($"Room '{roomName}' is archived: it can be read but takes no new messages.");

    /// <summary>
    /// Stages the next entry of the room's log. The seq comes from the database (<see cref="AppendSql.AdvanceSeq"/>, the
    /// statement set-based sends use), inside the transaction: a rollback takes it back, and on PostgreSQL the row lock
    /// serializes the room's writers across nodes, where a tracked <c>LastSeq++</c> could hand two nodes the same seq.
    /// </summary>
    public static async Task<LogEntry> AppendAsync(WriteContext context, Room room, ChatUser sender, string kind, string text, string clientMessageId,
        DateTimeOffset now, long? targetSeq, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var advance = AppendRun.AdvanceSeqCommand(context, AppendSql.For(db));
        advance.Parameters[0].Value = 1L;
        advance.Parameters[1].Value = room.Id;
        long lastSeq;
        await using (var reader = await advance.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            lastSeq = reader.GetInt64(0);
            context.AfterCommit(new MemberVersionMark(room.Name, reader.GetInt64(1)));
        }

        // Stored already: the tracked room learns it without EF writing it a second time.
        var tracked = db.Entry(room);
        if (tracked.State == EntityState.Detached)
        {
            room.LastSeq = lastSeq;
        }
        else
        {
            tracked.Property(r => r.LastSeq).CurrentValue = lastSeq;
            tracked.Property(r => r.LastSeq).OriginalValue = lastSeq;
        }

        var entry = new LogEntry
        {
            RoomId = room.Id,
            Seq = room.LastSeq,
            SenderId = sender.Id,
            Kind = kind,
            Text = text,
            ClientMessageId = clientMessageId,
            SentAt = now,
            TargetSeq = targetSeq,
        };
        db.LogEntries.Add(entry);
        return entry;
    }

    /// <summary>An archived room keeps its log as it is.</summary>
    public static void RequireOpen(Room room)
    {
        if (room.ArchivedAt is not null)
        {
            throw Archived(room.Name);
        }
    }

    /// <summary>
    /// The room, checked for membership (unless a moderator asks) and for being open (a moderator's removal is
    /// allowed in an archived room too), and the live (not deleted) message at <paramref name="seq"/>.
    /// </summary>
    public static async Task<(Room Room, LogEntry Message)> FindMessageAsync(
        ChatDbContext db, ChatUser user, string roomName, long seq, bool moderator, CancellationToken cancellationToken)
    {
        var room = await db.FindRoomAsync(roomName, cancellationToken);
        if (!moderator)
        {
            await RequireMemberAsync(db, room, user, cancellationToken);
            RequireOpen(room);
        }

        var message = await db.LogEntries.AsTracking()
            .FirstOrDefaultAsync(e => e.RoomId == room.Id && e.Seq == seq && e.Kind == EntryKinds.Message, cancellationToken)
            ?? throw ChatException.NotFound($"There is no message #{seq} in '{roomName}'.");
        return message.DeletedAt is null ? (room, message) : throw ChatException.Invalid($"Message #{seq} was deleted.");
    }

    /// <summary>Server-made ids for edits, deletes and reactions keep (sender, clientMessageId) unique.</summary>
    public static string NewId(string kind) => $"{kind}:{Guid.NewGuid():N}";
}
