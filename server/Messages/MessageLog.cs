using System.Runtime.CompilerServices;
using ChatApp.Contracts;
using ChatApp.Server.Attachments;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Limits;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Messages;

/// <summary>
/// The message path used by the hub and by REST alike: validation, the writer for sends, and the
/// read queries (history pages, catch-up stream).
/// </summary>
public sealed class MessageLog(
    DatabaseWriter writer,
    RoomQueries rooms,
    IDbContextFactory<ChatDbContext> contexts,
    IOptions<ChatOptions> options,
    IOptions<LimitsOptions> limits,
    IOptions<AttachmentOptions> attachmentOptions,
    TimeProvider clock)
{
    /// <param name="extras">Optional: a reply reference and attachments. A message with attachments may have no text.</param>
    public Task<SendResult> SendAsync(ChatUser sender, string room, string? text, string? clientMessageId, CancellationToken cancellationToken, SendExtras? extras = null)
    {
        var name = RoomNames.Normalize(room);
        var attachments = extras?.AttachmentIds?.Count ?? 0;
        if (attachments > attachmentOptions.Value.MaxPerMessage)
        {
            throw ChatException.Invalid($"A message can carry at most {attachmentOptions.Value.MaxPerMessage} attachments.");
        }

        if (attachments > 0 && extras!.AttachmentIds.Any(id => !AttachmentsApi.IsWellFormedId(id)))
        {
            throw ChatException.Invalid("An attachment id is the one its upload answered with.");
        }

        if (extras?.ReplyTo is { } replyTo)
        {
            ValidateSeq(replyTo);
        }

        if (!(attachments > 0 && text == ""))
        {
            ValidateText(text);
        }

        ValidateClientMessageId(clientMessageId);
        return writer.SubmitAsync(new AppendMessage(sender, name, text!, clientMessageId!, clock.GetUtcNow(), extras), cancellationToken);
    }

    public Task<ChatMessage> EditAsync(ChatUser user, string room, long seq, string? text, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        ValidateSeq(seq);
        ValidateText(text);
        return writer.SubmitAsync(new EditMessage(user, name, seq, text!, clock.GetUtcNow()), cancellationToken);
    }

    public Task<ChatMessage> DeleteAsync(ChatUser user, string room, long seq, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        ValidateSeq(seq);
        return writer.SubmitAsync(new DeleteMessage(user, name, seq, clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>An admin removes any message, member of the room or not, archived or not: a delete entry like any other.</summary>
    public Task<ChatMessage> RemoveAsModeratorAsync(ChatUser admin, string room, long seq, CancellationToken cancellationToken) =>
        writer.SubmitAsync(new DeleteMessage(admin, RoomNames.Normalize(room), seq, clock.GetUtcNow(), moderator: true), cancellationToken);

    public Task<ChatMessage> ReactAsync(ChatUser user, string room, long seq, string? emoji, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        ValidateSeq(seq);
        var reaction = NormalizeReaction(emoji, options.Value.MaxReactionLength);
        return writer.SubmitAsync(new ToggleReaction(user, name, seq, reaction, limits.Value.MaxDistinctReactionsPerMessage, clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// One emoji or a short word: length first, then no spaces or control characters, then NFC, so the same
    /// emoji spelled two ways is one reaction.
    /// </summary>
    internal static string NormalizeReaction(string? emoji, int max)
    {
        if (emoji is not { Length: > 0 } || emoji.Length > max
            || InputText.HasForbiddenCharacters(emoji, allowLineBreaks: false) || emoji.Any(char.IsWhiteSpace))
        {
            throw ChatException.Invalid($"A reaction is one emoji (or a short word) without spaces, at most {max} characters.");
        }

        var normalized = InputText.Normalize(emoji);
        return normalized.Length <= max ? normalized : throw ChatException.Invalid($"A reaction is at most {max} characters.");
    }

    public async Task<HistoryPage> GetHistoryAsync(ChatUser user, string room, long? beforeSeq, int? limit, CancellationToken cancellationToken)
    {
        var access = await rooms.GetReadableAsync(user, room, cancellationToken);
        var size = limit ?? options.Value.DefaultHistoryPageSize;
        if (size < 1)
        {
            throw ChatException.Invalid("limit must be at least 1.");
        }

        size = Math.Min(size, options.Value.MaxHistoryPageSize);
        var before = beforeSeq ?? long.MaxValue;

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var newestFirst = await WireMessages.Read(db.LogEntries.Where(e => e.RoomId == access.RoomId && e.Seq < before && e.Kind == EntryKinds.Message)
            .OrderByDescending(e => e.Seq)
            .Take(size + 1))
            .ToListAsync(cancellationToken);
        var hasMore = newestFirst.Count > size;
        var page = newestFirst.Take(size).Reverse().ToList();
        return new HistoryPage(access.Name, await EntryAssembler.CompleteAsync(db, access.RoomId, page, user.Id, cancellationToken), hasMore);
    }

    /// <summary>Every log entry after <paramref name="afterSeq"/>, in seq order, read a page at a time.</summary>
    public async IAsyncEnumerable<ChatMessage> StreamSinceAsync(
        ChatUser user, string room, long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (afterSeq < 0)
        {
            throw ChatException.Invalid("afterSeq must be 0 or more.");
        }

        var access = await rooms.GetReadableAsync(user, room, cancellationToken);
        var pageSize = options.Value.StreamPageSize;
        var last = afterSeq;
        while (true)
        {
            List<ChatMessage> page;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                page = await WireMessages.Read(db.LogEntries.Where(e => e.RoomId == access.RoomId && e.Seq > last)
                    .OrderBy(e => e.Seq)
                    .Take(pageSize))
                    .ToListAsync(cancellationToken);
                page = await EntryAssembler.CompleteAsync(db, access.RoomId, page, user.Id, cancellationToken);
            }

            foreach (var message in page)
            {
                yield return message;
            }

            if (page.Count < pageSize)
            {
                yield break;
            }

            last = page[^1].Seq;
        }
    }

    private void ValidateText(string? text)
    {
        if (text is not null && text.Length > options.Value.MaxMessageLength)
        {
            throw ChatException.Invalid($"A message can be at most {options.Value.MaxMessageLength} characters; this one has {text.Length}.");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw ChatException.Invalid("A message cannot be empty.");
        }

        if (InputText.HasForbiddenCharacters(text, allowLineBreaks: true))
        {
            throw ChatException.Invalid("A message cannot contain control characters (other than line breaks and tabs) or broken Unicode.");
        }
    }

    private void ValidateClientMessageId(string? clientMessageId)
    {
        if (clientMessageId is not { Length: > 0 } || clientMessageId.Length > options.Value.MaxClientMessageIdLength
            || !InputText.IsVisibleAscii(clientMessageId))
        {
            throw ChatException.Invalid($"clientMessageId is required: 1 to {options.Value.MaxClientMessageIdLength} visible ASCII characters, unique per message (a retry reuses it).");
        }
    }

    private static void ValidateSeq(long seq)
    {
        if (seq < 1)
        {
            throw ChatException.Invalid("seq must be 1 or more.");
        }
    }
}
