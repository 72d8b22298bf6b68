using ChatApp.Contracts;
using ChatApp.Server.Attachments;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>A send's reply reference and attachments, checked against stored data before the message is appended.</summary>
internal sealed record PreparedExtras(long? ReplyTo, ReplyPreview? Quoted, List<Attachment> Attachments)
{
    public static readonly PreparedExtras None = new(null, null, []);
}

/// <summary>
/// Replies and attachments on the send path, kept apart from <see cref="AppendMessage"/>'s own steps: check
/// before the append (<see cref="PrepareAsync"/>), record once the seq is known (<see cref="Apply"/>). On the read
/// side, <see cref="CompleteAsync"/> fills in quotes and attachments for a page, two queries for the whole page.
/// </summary>
internal static class MessageExtras
{
    private const int SnippetLength = 200;

    public static async Task<PreparedExtras> PrepareAsync(ChatDbContext db, Room room, ChatUser sender, SendExtras? extras, CancellationToken cancellationToken)
    {
        if (extras is null)
        {
            return PreparedExtras.None;
        }

        ReplyPreview? quoted = null;
        if (extras.ReplyTo is { } replyTo)
        {
            var target = await db.LogEntries.Where(e => e.RoomId == room.Id && e.Seq == replyTo && e.Kind == EntryKinds.Message)
                .Select(e => new ReplyPreview(e.Seq, e.Sender!.UserName, e.Text, e.DeletedAt != null))
                .FirstOrDefaultAsync(cancellationToken)
                ?? throw ChatException.NotFound($"There is no message #{replyTo} in '{room.Name}' to reply to.");
            quoted = target.Deleted ? throw ChatException.Invalid($"Message #{replyTo} was deleted; it cannot be replied to.") : Snip(target);
        }

        var attachments = await AttachmentLinks.FindClaimableAsync(db, room.Id, sender.Id, extras.AttachmentIds ?? [], int.MaxValue, cancellationToken);
        return new PreparedExtras(extras.ReplyTo, quoted, attachments);
    }

    /// <summary>Records the extras on the staged entry and claims the attachments for its seq (before SaveChanges).</summary>
    public static void Record(PreparedExtras extras, LogEntry entry)
    {
        if (extras == PreparedExtras.None)
        {
            return;
        }

        entry.ReplyToSeq = extras.ReplyTo;
        AttachmentLinks.Claim(extras.Attachments, entry.Seq);
    }

    /// <summary>The wire message with the extras <see cref="Record"/> stored.</summary>
    public static ChatMessage Apply(PreparedExtras extras, ChatMessage message) => extras == PreparedExtras.None ? message : message with
    {
        ReplyTo = extras.ReplyTo,
        Quoted = extras.Quoted,
        Attachments = extras.Attachments.ConvertAll(AttachmentLinks.Info),
    };

    /// <summary>Quotes as the answered messages are now (a deleted one shows as deleted) and each message's attachments.</summary>
    public static async Task<List<ChatMessage>> CompleteAsync(ChatDbContext db, long roomId, List<ChatMessage> entries, CancellationToken cancellationToken)
    {
        var messages = entries.Where(e => e.Kind == EntryKinds.Message && !e.Deleted).Select(e => e.Seq).ToList();
        var replyTargets = entries.Where(e => e.Kind == EntryKinds.Message).Select(e => e.ReplyTo).OfType<long>().Distinct().ToList();
        if (messages.Count == 0 && replyTargets.Count == 0)
        {
            return entries;
        }

        var quotes = replyTargets.Count == 0 ? [] : await db.LogEntries
            .Where(e => e.RoomId == roomId && e.Kind == EntryKinds.Message && replyTargets.Contains(e.Seq))
            .Select(e => new ReplyPreview(e.Seq, e.Sender!.UserName, e.Text, e.DeletedAt != null))
            .ToDictionaryAsync(q => q.Seq, cancellationToken);
        var attachments = messages.Count == 0 ? [] : await AttachmentLinks.ReadAsync(db, roomId, messages, cancellationToken);

        return entries.ConvertAll(entry => entry.Kind != EntryKinds.Message ? entry : entry with
        {
            Quoted = entry.ReplyTo is { } seq && quotes.TryGetValue(seq, out var quote) ? Snip(quote) : null,
            Attachments = attachments.GetValueOrDefault(entry.Seq, []),
        });
    }

    /// <summary>A quote carries the start of the text only: enough to recognise it, bounded whatever the original's length.</summary>
    private static ReplyPreview Snip(ReplyPreview quote) =>
        quote.Text.Length <= SnippetLength ? quote : quote with { Text = quote.Text[..SnippetLength] + "…" };
}
