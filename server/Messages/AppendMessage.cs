using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>The outcome of a send: the stored message, and whether it was stored by an earlier try.</summary>
public sealed record SendResult(ChatMessage Message, bool Duplicate);

/// <summary>
/// Appends a message to a room's log: dedupes by (sender, clientMessageId), checks membership, assigns
/// the next seq. Runs inside the writer's transaction, so earlier commands of the same batch are visible
/// and a duplicate within one batch is caught like any other.
/// </summary>
public sealed class AppendMessage(ChatUser sender, string roomName, string text, string clientMessageId, DateTimeOffset now) : WriteCommand<SendResult>
{
    protected override async Task<SendResult> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var original = await db.LogEntries
            .Where(e => e.SenderId == sender.Id && e.ClientMessageId == clientMessageId)
            .Select(e => new { Entry = e, Room = e.Room!.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (original is not null)
        {
            if (!string.Equals(original.Room, roomName, StringComparison.Ordinal))
            {
                throw ChatException.Conflict($"clientMessageId '{clientMessageId}' was already used for a message in another room; use a new one.");
            }

            var stored = original.Entry.ToWire(original.Room, sender.Name);
            return new SendResult((await EntryAssembler.CompleteAsync(db, original.Entry.RoomId, [stored], sender.Id, cancellationToken))[0], Duplicate: true);
        }

        var room = await db.FindRoomAsync(roomName, cancellationToken);
        await LogTargets.RequireMemberAsync(db, room, sender, cancellationToken);
        LogTargets.RequireOpen(room);

        var entry = LogTargets.Append(db, room, sender, EntryKinds.Message, text, clientMessageId, now, targetSeq: null);
        var mentions = await MentionParser.StoreAsync(db, room.Id, entry.Seq, text, replace: false, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        var message = entry.ToWire(room.Name, sender.Name) with { Mentions = mentions };
        context.Append(message);
        return new SendResult(message, Duplicate: false);
    }
}

/// <summary>Shared steps of the commands that write to a room's log.</summary>
internal static class LogTargets
{
    public static async Task RequireMemberAsync(ChatDbContext db, Room room, ChatUser user, CancellationToken cancellationToken)
    {
        if (await db.IsMemberAsync(room.Id, user.Id, cancellationToken))
        {
            return;
        }

        // A private room must not tell a non-member more than a missing room would.
        throw room.IsPrivate
            ? ChatException.NotFound($"There is no room named '{room.Name}' that you can read.")
            : ChatException.Forbidden($"You are not a member of '{room.Name}'; join it first.");
    }

    /// <summary>Stages the next entry of the room's log. The seq is taken inside the transaction, so a rollback takes it back too.</summary>
    public static LogEntry Append(ChatDbContext db, Room room, ChatUser sender, string kind, string text, string clientMessageId, DateTimeOffset now, long? targetSeq)
    {
        room.LastSeq++;
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
            throw ChatException.Forbidden($"Room '{room.Name}' is archived: it can be read but takes no new messages.");
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
