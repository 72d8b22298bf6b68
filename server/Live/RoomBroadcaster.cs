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
    private readonly Channel<Func<LiveHub, Task>> _sends =
        Channel.CreateUnbounded<Func<LiveHub, Task>>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Called by the writer after a commit with the batch's entries and group changes, in commit order; never blocks it.</summary>
    public void Publish(IReadOnlyList<object> effects)
    {
        foreach (var effect in effects)
        {
            metrics.SendQueued();
            _sends.Writer.TryWrite(effect switch
            {
                ChatMessage entry => context => Deliver(context.Clients.Group(RoomGroups.For(entry.Room)), entry),
                GroupChange change => context => ApplyAsync(context.Groups, change),
                _ => throw new ArgumentException($"Unknown live effect {effect.GetType().Name}", nameof(effects)),
            });
        }
    }

    /// <summary>Queues any other live event behind what is already queued.</summary>
    public void Send(Func<IHubClients<IChatClient>, Task> send)
    {
        metrics.SendQueued();
        _sends.Writer.TryWrite(context => send(context.Clients));
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

    private static Task Deliver(IChatClient room, ChatMessage entry) => entry.Kind switch
    {
        EntryKinds.Edit => room.MessageEdited(entry),
        EntryKinds.Delete => room.MessageDeleted(entry),
        EntryKinds.Reaction => room.ReactionChanged(entry),
        _ => room.MessageReceived(entry),
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var send in _sends.Reader.ReadAllAsync(stoppingToken))
        {
            Task sending;
            metrics.SendStarted();
            try
            {
                sending = send(hub);
            }
            catch (Exception ex)
            {
                metrics.SendFailed();
                LogSendFailed(logger, ex);
                continue;
            }

            if (!sending.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(sending);
            }
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "A live send failed for some connection")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}
