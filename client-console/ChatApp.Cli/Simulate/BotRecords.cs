using System.Diagnostics;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// What one bot saw of its rooms, in arrival order, live or caught up, and what the current step measured.
/// </summary>
/// <remarks>
/// Live entries, catch-up streams and acks arrive on different threads, so everything here is under one lock
/// (per bot: no contention worth the name). The catch-up follows <see cref="RoomFollower"/>: from the moment a
/// connection drops, live entries of every room are held; after the reconnect each room streams
/// <c>StreamMessagesSince(room, highest seq seen)</c>, then the held entries above it are applied and those at
/// or below it dropped (they came both ways), as are live entries arriving later at or below where the catch-up
/// got to (the server commits before it fans out, so the catch-up may read an entry before its live copy is sent).
/// Gaps in live delivery are not healed: a bot connected throughout must see every entry live, and a gap is reported as missing.
/// </remarks>
public sealed class BotRecords(SimulationRun run, int homeServer) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RoomRecord> _rooms = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _catchingUp = new(1, 1);
    private BotStep _step = new(run.Options.Servers.Count);

    /// <summary>The server the bot is connected to now: deliveries and acks are counted for it.</summary>
    public int CurrentServer { get; set; } = homeServer;

    public void Follow(string room, long baselineSeq)
    {
        lock (_gate)
        {
            _rooms[room] = new RoomRecord(baselineSeq);
        }
    }

    /// <summary>Starts measuring a new step; what arrives from now on belongs to it.</summary>
    public void BeginStep()
    {
        lock (_gate)
        {
            _step = new BotStep(run.Options.Servers.Count) { Interrupted = _rooms.Values.Any(r => r.Holding) };
        }
    }

    /// <summary>Ends the step: returns its measurements and the seqs seen so far in each room (copies, safe to read).</summary>
    public (BotStep Step, IReadOnlyDictionary<string, long[]> Seen) EndStep()
    {
        lock (_gate)
        {
            var ended = _step;
            _step = new BotStep(run.Options.Servers.Count);
            return (ended, _rooms.ToDictionary(r => r.Key, r => r.Value.Seen.ToArray(), StringComparer.OrdinalIgnoreCase));
        }
    }

    public bool Following
    {
        get
        {
            lock (_gate)
            {
                return _rooms.Count > 0;
            }
        }
    }

    public void Acked(ChatMessage message, long due, long now)
    {
        lock (_gate)
        {
            _step.Acks.Add((message.Room, message.Seq, CurrentServer));
            run.Timeline.Acked(now);
            if (due >= run.MeasureFrom)
            {
                _step.AckLatencies.Add(run.Microseconds(now - due));
            }
        }
    }

    public void OnLiveEntry(ChatMessage entry)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (!_rooms.TryGetValue(entry.Room, out var record))
            {
                run.CountForeignDelivery();
                return;
            }

            if (record.Holding)
            {
                record.Held.Add((entry, now));
                return;
            }

            if (entry.Seq <= record.CaughtUpTo)
            {
                // The live copy of an entry the catch-up already read: the server commits before it fans out, so a
                // catch-up can get ahead of the live side. Like RoomFollower, drop it; entries above the catch-up are checked as ever.
                return;
            }

            Apply(record, entry, now, caughtUp: false);
        }
    }

    /// <summary>The connection dropped: hold live entries until the catch-up after the reconnect has run.</summary>
    public void ConnectionLost()
    {
        lock (_gate)
        {
            _step.Interrupted = true;
            foreach (var record in _rooms.Values)
            {
                record.Holding = true;
            }
        }
    }

    /// <summary>Catches up every held room over <paramref name="connection"/>; one catch-up at a time. A failure leaves the rooms held for the next reconnect.</summary>
    public async Task CatchUpAsync(ChatConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await _catchingUp.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        run.CatchUpStarted();
        try
        {
            List<(string Room, RoomRecord Record)> held;
            lock (_gate)
            {
                held = _rooms.Where(r => r.Value.Holding).Select(r => (r.Key, r.Value)).ToList();
            }

            foreach (var (room, record) in held)
            {
                long after;
                lock (_gate)
                {
                    after = record.MaxSeen;
                }

                await foreach (var entry in connection.StreamMessagesSinceAsync(room, after, cancellationToken))
                {
                    var now = Stopwatch.GetTimestamp();
                    lock (_gate)
                    {
                        if (entry.Seq > record.MaxSeen)
                        {
                            Apply(record, entry, now, caughtUp: true);
                        }
                    }
                }

                lock (_gate)
                {
                    foreach (var (entry, at) in record.Held.Where(h => h.Entry.Seq > record.MaxSeen).ToList())
                    {
                        Apply(record, entry, at, caughtUp: false);
                    }

                    record.Held.Clear();
                    record.Holding = false;
                    record.CaughtUpTo = record.MaxSeen;
                }
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            run.CountError("catch-up failed (retried on the next reconnect): " + SimulationRun.Describe(ex));
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
        finally
        {
            run.CatchUpEnded();
            _catchingUp.Release();
        }
    }

    private void Apply(RoomRecord record, ChatMessage entry, long arrived, bool caughtUp)
    {
        if (entry.Seq <= record.BaselineSeq)
        {
            return;
        }

        record.Seen.Add(entry.Seq);
        record.MaxSeen = Math.Max(record.MaxSeen, entry.Seq);
        if (!run.TryReadStamp(entry.ClientMessageId, out var due))
        {
            return;
        }

        run.CountDelivery();
        _step.Received[CurrentServer]++;
        run.Timeline.Delivered(arrived, run.Microseconds(arrived - due));
        if (caughtUp)
        {
            _step.CaughtUp++;
        }

        if (due >= run.MeasureFrom)
        {
            _step.Latencies[CurrentServer].Add(run.Microseconds(arrived - due));
        }
    }

    public void Dispose() => _catchingUp.Dispose();

    private sealed class RoomRecord(long baselineSeq)
    {
        public long BaselineSeq { get; } = baselineSeq;

        /// <summary>Every seq above the baseline, in the order it was applied (live, or caught up).</summary>
        public List<long> Seen { get; } = [];

        public long MaxSeen { get; set; } = baselineSeq;

        /// <summary>True from a dropped connection until the catch-up after the reconnect has run.</summary>
        public bool Holding { get; set; }

        public List<(ChatMessage Entry, long Arrived)> Held { get; } = [];

        /// <summary>The highest seq the last catch-up reached: live copies at or below it arrive late, not twice.</summary>
        public long CaughtUpTo { get; set; } = long.MinValue;
    }
}

/// <summary>One bot's measurements during one step.</summary>
public sealed class BotStep(int servers)
{
    public List<(string Room, long Seq, int Server)> Acks { get; } = [];

    /// <summary>Delivery latencies (intended send → applied), microseconds, after the warm-up, by the server the bot was on.</summary>
    public List<int>[] Latencies { get; } = Enumerable.Range(0, servers).Select(_ => new List<int>()).ToArray();

    /// <summary>Send intended → ack, microseconds, after the warm-up.</summary>
    public List<int> AckLatencies { get; } = [];

    /// <summary>Entries of this run applied, by the server the bot was on.</summary>
    public long[] Received { get; } = new long[servers];

    /// <summary>Of those, the ones that came through a catch-up rather than live.</summary>
    public long CaughtUp { get; set; }

    /// <summary>The connection dropped during the step (or was still down when it began).</summary>
    public bool Interrupted { get; set; }
}
