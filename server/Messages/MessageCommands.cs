using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>Changes the text of one's own message; the edit is itself an entry of the room's log.</summary>
public sealed class EditMessage(ChatUser user, string roomName, long seq, string text, DateTimeOffset now) : WriteCommand<ChatMessage>
{
    protected override async Task<ChatMessage> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var (room, message) = await LogTargets.FindMessageAsync(db, user, roomName, seq, moderator: false, cancellationToken);
        if (message.SenderId != user.Id)
        {
            throw ChatException.Forbidden("You can only edit your own messages.");
        }

        message.Text = text;
        message.EditedAt = now;
        var mentions = await MentionParser.StoreAsync(db, room.Id, seq, text, replace: true, cancellationToken);
        var entry = await LogTargets.AppendAsync(context, room, user, EntryKinds.Edit, text, LogTargets.NewId(EntryKinds.Edit), now, seq, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        var wire = WireMessages.From(entry, room.Name, user.Name) with { Mentions = mentions };
        context.Append(wire);
        return wire;
    }
}

/// <summary>
/// Deletes a message (one's own, any for the room's owner, any anywhere for an admin, a <paramref name="moderator"/>).
/// Its text is cleared, edits included.
/// </summary>
public sealed class DeleteMessage(ChatUser user, string roomName, long seq, DateTimeOffset now, bool moderator = false) : WriteCommand<ChatMessage>
{
    protected override async Task<ChatMessage> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var (room, message) = await LogTargets.FindMessageAsync(db, user, roomName, seq, moderator, cancellationToken);
        if (!moderator && message.SenderId != user.Id && room.OwnerId != user.Id)
        {
            throw ChatException.Forbidden("You can only delete your own messages (the room's owner can delete any).");
        }

        message.Text = "";
        message.DeletedAt = now;
        await db.LogEntries.Where(e => e.RoomId == room.Id && e.TargetSeq == seq && e.Kind == EntryKinds.Edit)
            .ExecuteUpdateAsync(set => set.SetProperty(e => e.Text, ""), cancellationToken);
        await db.Mentions.Where(m => m.RoomId == room.Id && m.Seq == seq).ExecuteDeleteAsync(cancellationToken);
        await db.Reactions.Where(r => r.RoomId == room.Id && r.Seq == seq).ExecuteDeleteAsync(cancellationToken);
        // Attachments go with their message: the bytes are not kept once nobody can see them.
        await db.Attachments.Where(a => a.RoomId == room.Id && a.Seq == seq).ExecuteDeleteAsync(cancellationToken);
        var entry = await LogTargets.AppendAsync(context, room, user, EntryKinds.Delete, "", LogTargets.NewId(EntryKinds.Delete), now, seq, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        var wire = WireMessages.From(entry, room.Name, user.Name);
        context.Append(wire);
        return wire;
    }
}

/// <summary>
/// Toggles the caller's reaction on a message; the entry carries the message's counts after the toggle, with
/// <see cref="ReactionCount.Mine"/> marking the sender's own, so every client can tell whether it was added or taken back.
/// </summary>
public sealed class ToggleReaction(ChatUser user, string roomName, long seq, string emoji, int maxDistinct, DateTimeOffset now) : WriteCommand<ChatMessage>
{
    protected override async Task<ChatMessage> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var (room, _) = await LogTargets.FindMessageAsync(db, user, roomName, seq, moderator: false, cancellationToken);
        var existing = await db.Reactions.AsTracking()
            .FirstOrDefaultAsync(r => r.RoomId == room.Id && r.Seq == seq && r.UserId == user.Id && r.Emoji == emoji, cancellationToken);
        if (existing is null)
        {
            // A new kind of reaction only while the message has room for one: that is what bounds a reaction event's size.
            var isNew = !await db.Reactions.AnyAsync(r => r.RoomId == room.Id && r.Seq == seq && r.Emoji == emoji, cancellationToken);
            if (isNew && await db.Reactions.Where(r => r.RoomId == room.Id && r.Seq == seq).Select(r => r.Emoji).Distinct().CountAsync(cancellationToken) >= maxDistinct)
            {
                throw ChatException.Conflict($"This message already has {maxDistinct} different reactions; add one of those instead.");
            }

            db.Reactions.Add(new Reaction { RoomId = room.Id, Seq = seq, UserId = user.Id, Emoji = emoji });
        }
        else
        {
            db.Reactions.Remove(existing);
        }

        var entry = await LogTargets.AppendAsync(context, room, user, EntryKinds.Reaction, emoji, LogTargets.NewId(EntryKinds.Reaction), now, seq, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        var wire = (await EntryAssembler.CompleteAsync(db, room.Id, [WireMessages.From(entry, room.Name, user.Name)], user.Id, cancellationToken))[0];
        context.Append(wire);
        return wire;
    }
}
