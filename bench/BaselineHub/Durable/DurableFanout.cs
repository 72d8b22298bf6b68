using System.Threading.Channels;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>
/// Sends committed entries to their room's group from one ordered queue, as ChatApp's RoomBroadcaster does: started in
/// order, not awaited (SignalR queues each connection's writes behind its own lock, first come first served), so a slow
/// connection delays only itself, never the writer.
/// </summary>
public sealed partial class DurableFanout(IHubContext<DurableHub, IChatClient> hub, ILogger<DurableFanout> logger) : BackgroundService
{
    private readonly Channel<ChatMessage> _sends = Channel.CreateUnbounded<ChatMessage>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Called by the writer after a commit, in seq order per room; never blocks it.</summary>
    public void Publish(ChatMessage entry) => _sends.Writer.TryWrite(entry);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _sends.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            while (reader.TryRead(out var entry))
            {
                Task sending;
                try
                {
                    sending = hub.Clients.Group(entry.Room).MessageReceived(entry);
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
    }

    private async Task ObserveAsync(Task sending)
    {
        try
        {
            await sending;
        }
        catch (Exception ex)
        {
            LogSendFailed(logger, ex); // the entry is stored: a client that missed it catches up by seq
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Durable baseline: a live send failed for some connection")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}
