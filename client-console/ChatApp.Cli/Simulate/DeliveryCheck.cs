using System.Diagnostics;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// The check after a run. Each bot knows, per room, the seqs it has seen; they are checked against the acks
/// all bots received: a seq acked to anyone but never seen by a member connected throughout is missing,
/// a seq seen twice is a duplicate, a seq lower than one already seen is out of order. Latency is receive
/// time minus the intended send time.
/// </summary>
internal static class DeliveryCheck
{
    /// <param name="start">When sending started (a Stopwatch timestamp), for throughput.</param>
    public static SimulationReport Apply(SimulationReport report, Bot[] bots, SimulationRun run, long start)
    {
        var acked = AckedSeqs(bots);
        long expected = 0, received = 0, missing = 0, duplicated = 0, outOfOrder = 0, unacknowledged = 0;
        var interrupted = 0;
        var latencies = new List<int>();
        var ackLatencies = new List<int>();
        foreach (var bot in bots.Where(b => b.Connection is not null && b.Records.Count > 0))
        {
            latencies.AddRange(bot.Latencies);
            ackLatencies.AddRange(bot.AckLatencies);
            if (bot.Interrupted)
            {
                interrupted++;
            }

            foreach (var (room, record) in bot.Records)
            {
                var seen = new HashSet<long>(record.Seen);
                var roomAcks = acked.GetValueOrDefault(room) ?? [];
                received += record.Seen.Count;
                duplicated += record.Seen.Count - seen.Count;
                outOfOrder += record.OutOfOrder;
                unacknowledged += seen.Count(s => !roomAcks.Contains(s));
                if (!bot.Interrupted)
                {
                    // A member connected throughout must have seen every seq acked in its room.
                    expected += roomAcks.Count;
                    missing += roomAcks.Count(s => !seen.Contains(s));
                }
            }
        }

        var frequency = (double)Stopwatch.Frequency;
        var ackSeconds = run.LastAck > start ? (run.LastAck - start) / frequency : double.NaN;
        var deliverySeconds = run.LastDelivery > start ? (run.LastDelivery - start) / frequency : double.NaN;
        return report with
        {
            Passed = run.Acked > 0 && missing == 0 && duplicated == 0 && outOfOrder == 0,
            Messages = new MessageStats(run.Sent, run.Acked, run.Failed),
            Deliveries = new DeliveryStats(expected, received, missing, duplicated, outOfOrder, unacknowledged, run.ForeignDeliveries, interrupted),
            Latency = Distribution.FromMicroseconds(latencies),
            AckLatency = Distribution.FromMicroseconds(ackLatencies),
            Throughput = new Throughput(run.Acked / ackSeconds, received / deliverySeconds, Math.Max(ackSeconds, deliverySeconds)),
        };
    }

    /// <summary>Per room, every seq acked to any bot.</summary>
    private static Dictionary<string, HashSet<long>> AckedSeqs(Bot[] bots)
    {
        var acked = new Dictionary<string, HashSet<long>>(StringComparer.OrdinalIgnoreCase);
        foreach (var bot in bots)
        {
            foreach (var (room, seq) in bot.Acks)
            {
                if (!acked.TryGetValue(room, out var seqs))
                {
                    acked[room] = seqs = [];
                }

                seqs.Add(seq);
            }
        }

        return acked;
    }
}
