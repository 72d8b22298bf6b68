using System.Net.WebSockets;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests.Cluster;

/// <summary>
/// Senders that keep sending to one room until told to stop, retrying each message with its own clientMessageId
/// (so a retry is never stored twice), and recording every ack: the set any member must have received.
/// </summary>
public sealed class ClusterLoad
{
    private readonly List<ChatMessage> _acked = [];

    public IReadOnlyList<long> AckedSeqs
    {
        get
        {
            lock (_acked)
            {
                return [.. _acked.Select(m => m.Seq).Order()];
            }
        }
    }

    /// <summary>Sends from <paramref name="sender"/> until <paramref name="stop"/>; a sender whose node died stops on its own.</summary>
    public async Task SendUntilAsync(Member sender, string room, TimeSpan pause, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested && await SendOneAsync(sender, room, i); i++)
        {
            await Task.Delay(pause, CancellationToken.None);
        }
    }

    /// <summary>Sends message <paramref name="i"/> of <paramref name="sender"/> until acked; false when its node is gone.</summary>
    public async Task<bool> SendOneAsync(Member sender, string room, int i)
    {
        var id = $"{sender.Name}-{i}";
        for (var attempt = 0; attempt < 40; attempt++)
        {
            try
            {
                var message = await sender.Connection.SendMessageAsync(room, $"{sender.Name} {i}", id, CancellationToken.None)
                    .WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
                lock (_acked)
                {
                    _acked.Add(message);
                }

                return true;
            }
            catch (HubException)
            {
                // Two nodes took the same seq at once and one was refused (nothing stored), or the node could not
                // commit: the same id again, which a stored first try answers with the original.
                await Task.Delay(50 * (attempt + 1), CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or InvalidOperationException or TimeoutException)
            {
                // The connection broke under the call (its node was killed; the state may still say Connected for a
                // moment): this sender stops, what it had acked stays counted, and the unacked one may or may not be stored.
                return false;
            }
        }

        throw new InvalidOperationException($"{id} was refused 40 times.");
    }

    /// <summary>Waits until <paramref name="member"/> has every acked seq, then checks: no gap, no duplicate, nothing out of order.</summary>
    public async Task AssertReceivedAsync(Member member, string room, TimeSpan timeout)
    {
        var acked = AckedSeqs;
        Assert.NotEmpty(acked);
        await member.Events.WaitUntilAsync(r => acked.All(s => member.Seqs(room).Contains(s)), $"{member.Name} to receive all {acked.Count} acked entries", timeout);
        var seen = member.Seqs(room);
        Assert.Equal(seen.Distinct().Count(), seen.Count); // no duplicates
        Assert.Equal(seen.Order(), seen); // in order
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(s => (long)s), seen); // from the first entry on, no gaps
    }
}
