using System.Diagnostics;
using System.Globalization;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// One simulated user: its own connection, the rooms it belongs to, and a record of every seq it saw.
/// HubConnection runs one connection's handlers one after another, so the per-room records need no
/// lock; they are read only after the connection has been stopped.
/// </summary>
public sealed class Bot(int index, string name, int[] rooms, SimulationRun run)
{
    private readonly Dictionary<string, RoomRecord> _records = new(StringComparer.OrdinalIgnoreCase);

    public int Index { get; } = index;

    public string Name { get; } = name;

    public int[] Rooms { get; } = rooms;

    /// <summary>Set once logged in; refreshed whenever a reconnect needs a fresh access token.</summary>
    public ChatTokens? Tokens { get; set; }

    public ChatConnection? Connection { get; private set; }

    /// <summary>True once the connection dropped at any point: such a bot may legitimately have missed live deliveries.</summary>
    public bool Interrupted { get; private set; }

    public double ConnectMilliseconds { get; private set; }

    /// <summary>Seqs this bot's sends were acknowledged with, per room.</summary>
    public List<(string Room, long Seq)> Acks { get; } = [];

    /// <summary>End-to-end latencies of the deliveries this bot received, in microseconds (after the warm-up only).</summary>
    public List<int> Latencies { get; } = [];

    /// <summary>Latencies of this bot's own acks (send intended → ack), in microseconds (after the warm-up only).</summary>
    public List<int> AckLatencies { get; } = [];

    public IReadOnlyDictionary<string, RoomRecord> Records => _records;

    public async Task ConnectAsync(CliEnvironment env, CancellationToken cancellationToken)
    {
        var tokens = Tokens ?? throw new InvalidOperationException($"{Name} connects before it logged in.");
        var connection = env.CreateConnection(run.Options.Server, tokens.Provider, run.Options.Connection());
        connection.Subscribe(new Events(this));
        connection.Hub.Reconnecting += _ =>
        {
            Interrupted = true;
            run.CountError("connection dropped (reconnecting)");
            return Task.CompletedTask;
        };
        Connection = connection;

        var started = Stopwatch.GetTimestamp();
        await connection.StartAsync(cancellationToken);
        ConnectMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>Joins the bot's rooms; the seq each room was at is where this bot's record of it starts.</summary>
    public async Task JoinRoomsAsync(CancellationToken cancellationToken)
    {
        foreach (var room in Rooms)
        {
            var info = await Connection!.JoinRoomAsync(run.Options.RoomName(room), cancellationToken); // connected before joining
            _records[info.Name] = new RoomRecord(info.LastSeq);
        }
    }

    /// <summary>
    /// Sends at the given rate from <paramref name="start"/> to <paramref name="end"/> (Stopwatch timestamps)
    /// without waiting for acks: each message is due at its own time, and a slow server shows as latency.
    /// </summary>
    public async Task SendLoopAsync(long start, long end, CancellationToken cancellationToken)
    {
        var random = new Random(HashCode.Combine(run.Options.Seed, Index));
        var interval = Stopwatch.Frequency / run.Options.Rate;
        var jitter = run.Options.Jitter;
        var due = start + (long)(random.NextDouble() * interval); // spread the bots' first messages over one interval
        var sequence = 0;
        while (due < end && !cancellationToken.IsCancellationRequested)
        {
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
            }

            var room = run.Options.RoomName(Rooms[sequence % Rooms.Length]);
            _ = SendOneAsync(room, sequence, due, cancellationToken);
            sequence++;
            due += (long)(interval * (1 + (jitter * ((2 * random.NextDouble()) - 1))));
        }
    }

    private async Task SendOneAsync(string room, int sequence, long due, CancellationToken cancellationToken)
    {
        run.MessageStarted();
        try
        {
            // The stamp is the intended send time, not the actual one: open-loop measurement.
            var clientMessageId = string.Create(CultureInfo.InvariantCulture, $"{run.RunId}.{Index}.{sequence}.{due}");
            var message = await Connection!.SendMessageAsync(room, run.TextFor(clientMessageId), clientMessageId, cancellationToken); // connected before sending
            var now = Stopwatch.GetTimestamp();
            lock (Acks)
            {
                Acks.Add((message.Room, message.Seq));
                if (due >= run.MeasureFrom)
                {
                    AckLatencies.Add(run.Microseconds(now - due));
                }
            }

            run.MessageAcked(message.Room);
        }
        catch (Exception ex)
        {
            run.MessageFailed(ex);
        }
    }

    private void OnEntry(ChatMessage entry)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_records.TryGetValue(entry.Room, out var record))
        {
            run.CountForeignDelivery();
            return;
        }

        record.Add(entry.Seq);
        if (run.TryReadStamp(entry.ClientMessageId, out var due))
        {
            run.CountDelivery();
            if (due >= run.MeasureFrom)
            {
                Latencies.Add(run.Microseconds(now - due));
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Connection is { } connection)
        {
            await connection.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeConnectionAsync()
    {
        if (Connection is { } connection)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>What one bot saw of one room: every seq in arrival order.</summary>
    public sealed class RoomRecord(long baselineSeq)
    {
        public long BaselineSeq { get; } = baselineSeq;

        public List<long> Seen { get; } = [];

        public long MaxSeen { get; private set; } = baselineSeq;

        /// <summary>Arrivals with a seq lower than one seen before them.</summary>
        public int OutOfOrder { get; private set; }

        public void Add(long seq)
        {
            if (seq <= BaselineSeq)
            {
                return;
            }

            if (seq < MaxSeen)
            {
                OutOfOrder++;
            }
            else
            {
                MaxSeen = seq;
            }

            Seen.Add(seq);
        }
    }

    private sealed class Events(Bot bot) : ChatEvents
    {
        protected override Task OnEntry(ChatMessage entry)
        {
            bot.OnEntry(entry);
            return Task.CompletedTask;
        }
    }
}
