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
/// the next seq. Consecutive plain sends in a batch run together as one <see cref="AppendRun"/>, which sees what
/// earlier commands of the batch did and catches a duplicate within the run like any other. A send with a reply
/// or attachments (<see cref="MessageExtras"/>) is rarer and runs alone, on the EF path below.
/// </summary>
/// <param name="extras">A reply reference and attachments (optional); <see cref="MessageExtras"/> checks and records them.</param>
public sealed class AppendMessage(ChatUser sender, string roomName, string text, string clientMessageId, DateTimeOffset now, SendExtras? extras = null)
    : WriteCommand<SendResult>
{
    public ChatUser Sender => sender;
    public string RoomName => roomName;
    public string Text => text;
    public string ClientMessageId => clientMessageId;
    public DateTimeOffset Now => now;

    /// <summary>Set by the run once this send is stored (or found stored); what the sender is acked with.</summary>
    internal SendResult? Result { get; private set; }

    public override WriteRun? Run => extras is null ? AppendRun.Instance : null;

    internal void Succeed(SendResult result)
    {
        Result = result;
        SetResult(result);
    }

    protected override async Task<SendResult> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        if (extras is null)
        {
            // Alone (the writer's fallback after a run failed in the database): a run of one.
            var refusals = await AppendRun.Instance.ExecuteAsync(context, [this], cancellationToken);
            return refusals[0] is { } refusal ? throw refusal : Result!; // no refusal: the run set Result
        }

        return await WithExtrasAsync(context, extras, cancellationToken);
    }

    private async Task<SendResult> WithExtrasAsync(WriteContext context, SendExtras sendExtras, CancellationToken cancellationToken)
    {
        var db = context.Db;
        if (await AppendRun.FindOriginalAsync(db, this, cancellationToken) is { } original)
        {
            return AppendRun.SameRoom(original.Room, this) is { } refusal ? throw refusal : new SendResult(original.Message, Duplicate: true);
        }

        var room = await db.FindRoomAsync(roomName, cancellationToken);
        await LogTargets.RequireMemberAsync(db, room, sender, cancellationToken);
        LogTargets.RequireOpen(room);
        var prepared = await MessageExtras.PrepareAsync(db, room, sender, sendExtras, cancellationToken);

        var entry = await LogTargets.AppendAsync(context, room, sender, EntryKinds.Message, text, clientMessageId, now, targetSeq: null, cancellationToken);
        var mentions = await MentionParser.StoreAsync(db, room.Id, entry.Seq, text, replace: false, cancellationToken);
        MessageExtras.Record(prepared, entry);
        await db.SaveChangesAsync(cancellationToken);

        // After the save: the entry's Id is assigned by it.
        var message = MessageExtras.Apply(prepared, WireMessages.From(entry, room.Name, sender.Name) with { Mentions = mentions });
        context.Append(message);
        return new SendResult(message, Duplicate: false);
    }
}
