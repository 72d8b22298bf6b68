using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
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
            return new SendResult(original.Entry.ToWire(original.Room, sender.Name), Duplicate: true);
        }

        var room = await db.Rooms.AsTracking().FirstOrDefaultAsync(r => r.Name == roomName, cancellationToken)
            ?? throw ChatException.NotFound($"There is no room named '{roomName}'.");
        if (!await db.RoomMembers.AnyAsync(m => m.RoomId == room.Id && m.UserId == sender.Id, cancellationToken))
        {
            throw ChatException.Forbidden($"You are not a member of '{roomName}'; join it first.");
        }

        // The seq is taken inside the transaction; if the batch fails, the rollback takes it back too.
        room.LastSeq++;
        var entry = new LogEntry
        {
            RoomId = room.Id,
            Seq = room.LastSeq,
            SenderId = sender.Id,
            Kind = EntryKinds.Message,
            Text = text,
            ClientMessageId = clientMessageId,
            SentAt = now,
        };
        db.LogEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);

        var message = entry.ToWire(room.Name, sender.Name);
        context.Append(message);
        return new SendResult(message, Duplicate: false);
    }
}
