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
/// <param name="extras">A reply reference and attachments (optional); <see cref="MessageExtras"/> checks and records them.</param>
public sealed class AppendMessage(ChatUser sender, string roomName, string text, string clientMessageId, DateTimeOffset now, SendExtras? extras = null) : WriteCommand<SendResult>
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

            var stored = WireMessages.From(original.Entry, original.Room, sender.Name);
            return new SendResult((await EntryAssembler.CompleteAsync(db, original.Entry.RoomId, [stored], sender.Id, cancellationToken))[0], Duplicate: true);
        }

        var room = await db.FindRoomAsync(roomName, cancellationToken);
        await LogTargets.RequireMemberAsync(db, room, sender, cancellationToken);
        LogTargets.RequireOpen(room);
        var prepared = await MessageExtras.PrepareAsync(db, room, sender, extras, cancellationToken);

        var entry = LogTargets.Append(db, room, sender, EntryKinds.Message, text, clientMessageId, now, targetSeq: null);
        var mentions = await MentionParser.StoreAsync(db, room.Id, entry.Seq, text, replace: false, cancellationToken);
        MessageExtras.Record(prepared, entry);
        await db.SaveChangesAsync(cancellationToken);

        // After the save: the entry's Id is assigned by it.
        var message = MessageExtras.Apply(prepared, WireMessages.From(entry, room.Name, sender.Name) with { Mentions = mentions });

        context.Append(message);
        return new SendResult(message, Duplicate: false);
    }
}
