using System.Threading.Channels;
using ChatApp.Contracts;
using ChatApp.Server.Hubs;
using ChatApp.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Messages;

/// <summary>
/// Fans committed log entries out to each room's group, in commit (so seq) order.
/// </summary>
/// <remarks>
/// Sends are started in order but not awaited: SignalR queues each connection's writes behind that
/// connection's own lock, first come first served, so per-connection order holds, while one slow or
/// dead connection only delays itself (until SignalR's client timeout drops it) instead of the writer
/// or everyone else.
/// </remarks>
public sealed partial class RoomBroadcaster(IHubContext<ChatHub, IChatClient> hub, ILogger<RoomBroadcaster> logger) : BackgroundService
{
    private readonly Channel<ChatMessage> _entries = Channel.CreateUnbounded<ChatMessage>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Called by the writer after a commit; never blocks it.</summary>
    public void Publish(IReadOnlyList<ChatMessage> entries)
    {
        foreach (var entry in entries)
        {
            _entries.Writer.TryWrite(entry);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var entry in _entries.Reader.ReadAllAsync(stoppingToken))
        {
            var send = hub.Clients.Group(RoomGroups.For(entry.Room)).MessageReceived(entry);
            if (!send.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(send, entry);
            }
        }
    }

    private async Task ObserveAsync(Task send, ChatMessage entry)
    {
        try
        {
            await send;
        }
        catch (Exception ex)
        {
            // The log keeps the entry; a client that missed it catches up by seq.
            LogSendFailed(logger, ex, entry.Room, entry.Seq);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live delivery of {Room}#{Seq} failed for some connection")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string room, long seq);
}
