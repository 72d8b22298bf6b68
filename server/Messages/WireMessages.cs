using ChatApp.Contracts;
using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>
/// The one place a stored log entry becomes a <see cref="ChatMessage"/>: what the writer acks and fans out and
/// what history, catch-up and search read back are built alike, so a live entry and its re-read never differ.
/// Reactions and mentions are filled in afterwards by <see cref="EntryAssembler"/>.
/// </summary>
internal static class WireMessages
{
    public static ChatMessage From(LogEntry entry, string room, string sender) => new()
    {
        Id = entry.Id,
        Room = room,
        Seq = entry.Seq,
        Sender = sender,
        Text = entry.Text,
        SentAt = entry.SentAt,
        ClientMessageId = entry.ClientMessageId,
        Kind = entry.Kind,
        TargetSeq = entry.TargetSeq,
        // An edit entry shows when the edit was made: the time it was appended.
        EditedAt = entry.Kind == EntryKinds.Edit ? entry.SentAt : entry.EditedAt,
        Deleted = entry.DeletedAt is not null,
        ReplyTo = entry.ReplyToSeq,
    };

    /// <summary>Reads <paramref name="entries"/> (filter and order them first) with their room and sender names.</summary>
    public static IQueryable<ChatMessage> Read(IQueryable<LogEntry> entries) =>
        entries.AsNoTracking().Select(e => From(e, e.Room!.Name, e.Sender!.UserName));
}
