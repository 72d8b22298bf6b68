using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;

namespace ChatApp.Server.Messages;

/// <summary>The outcome of a send: the stored message, and whether it was stored by an earlier try.</summary>
public sealed record SendResult(ChatMessage Message, bool Duplicate);

/// <summary>
/// Appends a message to a room's log: dedupes by (sender, clientMessageId), checks membership, assigns
/// the next seq. Consecutive sends in a batch run together as one <see cref="AppendRun"/>, which sees what
/// earlier commands of the batch did and catches a duplicate within the run like any other.
/// </summary>
public sealed class AppendMessage(ChatUser sender, string roomName, string text, string clientMessageId, DateTimeOffset now) : WriteCommand<SendResult>
{
    public ChatUser Sender => sender;
    public string RoomName => roomName;
    public string Text => text;
    public string ClientMessageId => clientMessageId;
    public DateTimeOffset Now => now;

    /// <summary>Set by the run once this send is stored (or found stored); what the sender is acked with.</summary>
    internal SendResult? Result { get; private set; }

    public override WriteRun Run => AppendRun.Instance;

    internal void Succeed(SendResult result)
    {
        Result = result;
        SetResult(result);
    }

    // Alone (the writer's fallback after a run failed in the database): a run of one.
    protected override async Task<SendResult> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var refusals = await AppendRun.Instance.ExecuteAsync(context, [this], cancellationToken);
        return refusals[0] is { } refusal ? throw refusal : Result!; // no refusal: the run set Result
    }
}
