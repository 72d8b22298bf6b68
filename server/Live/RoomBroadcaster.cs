using System.Threading.Channels;
using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Hosting;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Live;

/// <summary>
/// Sends live events from one ordered queue: committed log entries to each room's group in commit (so seq)
/// order, the group changes of membership commits in the same order, and presence and membership events.
/// </summary>
/// <remarks>
/// Sends are started in order but not awaited: SignalR queues each connection's writes behind that
/// connection's own lock, first come first served, so per-connection order holds, while one slow or
/// dead connection only delays itself (until SignalR's client timeout drops it) instead of the writer,
/// the caller, or everyone else.
/// </remarks>
public sealed partial class RoomBroadcaster(LiveHub hub, ConnectionRegistry connections, ChatMetrics metrics, ILogger<RoomBroadcaster> logger)
    : BackgroundService, ICommittedEffects
{
    private const int MaxUncounted = 256;

    // A struct per queued send, not a closure: a committed entry costs the queue no allocation of its own.
    private readonly Channel<LiveSend> _sends = Channel.CreateUnbounded<LiveSend>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Called by the writer after a commit with the batch's entries and group changes, in commit order; never blocks it.</summary>
    public void Publish(IReadOnlyList<object> effects)
    {
        // Counted once per batch, not per entry (OpenTelemetry's aggregator showed in the saturation profile),
        // and before the sends are queued, so the reader never takes the depth below zero.
        metrics.SendQueued(effects.Count(effect => effect is not MemberVersionMark));
        foreach (var effect in effects)
        {
            if (effect is MemberVersionMark)
            {
                continue; // for a cluster's ordering only: one node's queue is in commit order already
            }

            _sends.Writer.TryWrite(effect switch
            {
                ChatMessage entry => new LiveSend(entry, null, null),
                GroupChange change => new LiveSend(null, change, null),
                _ => throw new ArgumentException($"Unknown live effect {effect.GetType().Name}", nameof(effects)),
            });
        }
    }

    /// <summary>Queues any other live event behind what is already queued.</summary>
    public void Send(Func<IHubClients<IChatClient>, Task> send)
    {
        metrics.SendQueued();
        _sends.Writer.TryWrite(new LiveSend(null, null, send));
    }

    // The in-memory lifetime manager changes groups synchronously, so a change is in force before the next
    // queued send starts: the order of the queue is the order members see.
    private async Task ApplyAsync(IGroupManager groups, GroupChange change)
    {
        var targets = change.ConnectionId is { } one ? [one] : connections.ConnectionsOf(change.UserId ?? 0);
        foreach (var connectionId in targets)
        {
            await (change.Join
                ? groups.AddToGroupAsync(connectionId, RoomGroups.For(change.Room))
                : groups.RemoveFromGroupAsync(connectionId, RoomGroups.For(change.Room)));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _sends.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            // What is queued is started in one go and counted once (at most MaxUncounted at a time, so a steady
            // stream still shows), so the fan-out queue's depth may read that much high while they start.
            var started = 0;
            while (started < MaxUncounted && reader.TryRead(out var send))
            {
                started++;
                Start(send);
            }

            metrics.SendsStarted(started);
        }
    }

    private void Start(LiveSend send)
    {
        Task sending;
        try
        {
            sending = send switch
            {
                { Entry: { } entry } => hub.Clients.Group(RoomGroups.For(entry.Room)).DeliverEntry(entry),
                { Change: { } change } => ApplyAsync(hub.Groups, change),
                _ => send.Other!(hub.Clients), // one of the three is always set
            };
        }
        catch (Exception ex)
        {
            metrics.SendFailed();
            LogSendFailed(logger, ex);
            return;
        }

        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending);
        }
    }

    private async Task ObserveAsync(Task sending)
    {
        try
        {
            await sending;
        }
        catch (Exception ex)
        {
            // The log keeps every entry; a client that missed one catches up by seq.
            metrics.SendFailed();
            LogSendFailed(logger, ex);
        }
    }

    /// <summary>One queued send: a committed entry, a group change, or any other event.</summary>
    private readonly record struct LiveSend(ChatMessage? Entry, GroupChange? Change, Func<IHubClients<IChatClient>, Task>? Other);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A live send failed for some connection")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}
