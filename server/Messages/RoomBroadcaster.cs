using System.Threading.Channels;
using ChatApp.Contracts;
using ChatApp.Server.Hubs;
using ChatApp.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Messages;

/// <summary>
/// Sends live events: committed log entries to each room's group in commit (so seq) order, and
/// membership events, from one queue so they keep their order too.
/// </summary>
/// <remarks>
/// Sends are started in order but not awaited: SignalR queues each connection's writes behind that
/// connection's own lock, first come first served, so per-connection order holds, while one slow or
/// dead connection only delays itself (until SignalR's client timeout drops it) instead of the writer,
/// the caller, or everyone else.
/// </remarks>
public sealed partial class RoomBroadcaster(IHubContext<ChatHub, IChatClient> hub, ILogger<RoomBroadcaster> logger) : BackgroundService
{
    private readonly Channel<Func<IHubClients<IChatClient>, Task>> _sends =
        Channel.CreateUnbounded<Func<IHubClients<IChatClient>, Task>>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Called by the writer after a commit; never blocks it.</summary>
    public void Publish(IReadOnlyList<ChatMessage> entries)
    {
        foreach (var entry in entries)
        {
            Send(clients => Deliver(clients.Group(RoomGroups.For(entry.Room)), entry));
        }
    }

    /// <summary>Queues any other live event behind what is already queued.</summary>
    public void Send(Func<IHubClients<IChatClient>, Task> send) => _sends.Writer.TryWrite(send);

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
            try
            {
                sending = send(hub.Clients);
            }
            catch (Exception ex)
            {
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
            LogSendFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A live send failed for some connection")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}
