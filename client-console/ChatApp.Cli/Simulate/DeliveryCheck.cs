using System.Diagnostics;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// The check after each step. Every bot knows, per room, the seqs it has applied (live or caught up after a
/// reconnect); they are checked against the seqs acked to any bot during the step: an acked seq a member never
/// saw is missing, one seen twice is a duplicate, one seen after a higher one is out of order. Every bot is
/// checked, including those whose connection dropped: they caught up, or what they lack is missing. A check
/// that covers fewer bots than the run has, or nothing at all, does not pass. Latency is receive time minus
/// the intended send time.
/// </summary>
internal static class DeliveryCheck
{
    /// <param name="observed">Each bot with its step's measurements and the seqs it has seen so far per room.</param>
    /// <param name="allAcked">Every seq acked so far in the run, per room; this step's acks are added to it.</param>
    /// <param name="start">When this step's sending started (a Stopwatch timestamp), for throughput.</param>
    /// <param name="before">The run's counters when the step started.</param>
    public static SimulationReport Apply(SimulationReport report, (Bot Bot, BotStep Step, IReadOnlyDictionary<string, long[]> Seen)[] observed,
        Dictionary<string, HashSet<long>> allAcked, SimulationRun run, long start, SimulationRun.Counters before)
    {
        var servers = run.Options.Servers.Count;
        var stepAcked = AckedSeqs(observed.Select(o => o.Step));
        foreach (var (room, seqs) in stepAcked)
        {
            if (!allAcked.TryGetValue(room, out var all))
            {
                allAcked[room] = all = [];
            }

            all.UnionWith(seqs);
        }

        long expected = 0, received = 0, missing = 0, duplicated = 0, outOfOrder = 0, unacknowledged = 0, caughtUp = 0;
        int interrupted = 0, checkedBots = 0;
        var missingByServer = new long[servers];
        var latencies = new List<int>();
        var ackLatencies = new List<int>();
        foreach (var (bot, step, seen) in observed)
        {
            ackLatencies.AddRange(step.AckLatencies);
            caughtUp += step.CaughtUp;
            interrupted += step.Interrupted ? 1 : 0;
            if (seen.Count == 0)
            {
                continue; // never joined: not covered, which the coverage rule below turns into a failure
            }

            checkedBots++;
            foreach (var (room, order) in seen)
            {
                var roomAcks = stepAcked.GetValueOrDefault(room) ?? [];
                var roomAll = allAcked.GetValueOrDefault(room) ?? [];
                var distinct = new HashSet<long>();
                long highest = long.MinValue;
                foreach (var seq in order)
                {
                    if (!roomAll.Contains(seq))
                    {
                        unacknowledged++;
                        continue;
                    }

                    if (!roomAcks.Contains(seq))
                    {
                        continue; // another step's
                    }

                    received++;
                    if (!distinct.Add(seq))
                    {
                        duplicated++;
                    }
                    else if (seq < highest)
                    {
                        outOfOrder++;
                    }

                    highest = Math.Max(highest, seq);
                }

                expected += roomAcks.Count;
                var lacking = roomAcks.Count - distinct.Count;
                missing += lacking;
                missingByServer[bot.HomeServer] += lacking;
            }
        }

        var frequency = (double)Stopwatch.Frequency;
        var ackSeconds = run.LastAck > start ? (run.LastAck - start) / frequency : double.NaN;
        var deliverySeconds = run.LastDelivery > start ? (run.LastDelivery - start) / frequency : double.NaN;
        var acked = run.Acked - before.Acked;
        for (var s = 0; s < servers; s++)
        {
            latencies.AddRange(observed.SelectMany(o => o.Step.Latencies[s]));
        }

        var problems = new List<string>();
        if (checkedBots < observed.Length)
        {
            problems.Add($"{observed.Length - checkedBots} of {observed.Length} bots never joined their rooms: their deliveries could not be checked");
        }

        var failed = run.Failed - before.Failed;
        if (failed > 0)
        {
            problems.Add($"{failed} sends were never acknowledged (see the errors)");
        }

        if (run.InFlight > 0)
        {
            problems.Add($"{run.InFlight} sends were neither acknowledged nor failed when the run ended");
        }

        if (acked == 0 || expected == 0)
        {
            problems.Add("nothing was acknowledged, so the check covered nothing");
        }

        return report with
        {
            Passed = problems.Count == 0 && missing == 0 && duplicated == 0 && outOfOrder == 0,
            Problems = problems.Count > 0 ? problems : null,
            Messages = new MessageStats(run.Sent - before.Sent, acked, failed),
            Deliveries = new DeliveryStats(expected, received, missing, duplicated, outOfOrder, unacknowledged, run.ForeignDeliveries, interrupted)
            {
                CaughtUp = caughtUp,
                CheckedBots = checkedBots,
            },
            Latency = Distribution.FromMicroseconds(latencies),
            AckLatency = Distribution.FromMicroseconds(ackLatencies),
            Throughput = new Throughput(acked / ackSeconds, received / deliverySeconds, Math.Max(ackSeconds, deliverySeconds)),
            PerServer = servers > 1 ? PerServer(observed, run, missingByServer) : null,
        };
    }

    private static ServerStats[] PerServer((Bot Bot, BotStep Step, IReadOnlyDictionary<string, long[]> Seen)[] observed, SimulationRun run, long[] missingByServer) =>
        Enumerable.Range(0, run.Options.Servers.Count).Select(s => new ServerStats(
            run.Options.Servers[s].ToString(),
            observed.Count(o => o.Bot.HomeServer == s),
            observed.Count(o => o.Bot.CurrentServer == s),
            run.MovedTo(s),
            observed.Sum(o => o.Step.Acks.Count(a => a.Server == s)),
            observed.Sum(o => o.Step.Received[s]),
            missingByServer[s],
            Distribution.FromMicroseconds(observed.SelectMany(o => o.Step.Latencies[s]).ToList()))).ToArray();

    /// <summary>Per room, every seq acked to any bot.</summary>
    private static Dictionary<string, HashSet<long>> AckedSeqs(IEnumerable<BotStep> steps)
    {
        var acked = new Dictionary<string, HashSet<long>>(StringComparer.OrdinalIgnoreCase);
        foreach (var step in steps)
        {
            foreach (var (room, seq, _) in step.Acks)
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
