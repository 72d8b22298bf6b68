using ChatApp.Contracts;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>A room of the durable hub: its row's id, and its last committed seq (what a join or a room list reports).</summary>
public sealed class DurableRoom(long id, string name, long lastSeq)
{
    public long Id { get; } = id;

    public string Name { get; } = name;

    public long LastSeq { get; set; } = lastSeq;
}

/// <summary>A user row: the sender a stored entry refers to.</summary>
public sealed record DurableUser(long Id, string Name);

/// <summary>A send waiting for the writer; its ack completes after the commit that stored it (or the original).</summary>
public sealed class PendingSend(DurableRoom room, DurableUser sender, string text, string clientMessageId)
{
    public DurableRoom Room { get; } = room;

    public DurableUser Sender { get; } = sender;

    public string Text { get; } = text;

    public string ClientMessageId { get; } = clientMessageId;

    public TaskCompletionSource<ChatMessage> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The seq this attempt took; only meaningful inside the writer's transaction.</summary>
    public long Seq { get; set; }

    /// <summary>The stored entry: new (<see cref="IsNew"/>) or the original a retry found.</summary>
    public ChatMessage? Result { get; set; }

    public bool IsNew { get; set; }
}

/// <summary>Set-up work (a user or room row) the writer runs in a transaction of its own, between batches of sends.</summary>
public sealed class AloneWork(Func<DurableStatements, CancellationToken, Task> run)
{
    public Func<DurableStatements, CancellationToken, Task> Run { get; } = run;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>One queued item: a send or set-up work (a struct, so queueing a send allocates nothing of its own).</summary>
public readonly record struct WriteItem(PendingSend? Send, AloneWork? Alone);

/// <summary>The writer's counters since start, for <c>/stats</c>: batches per second, mean batch, mean commit time.</summary>
public sealed class DurableStats
{
    private long _batches, _messages, _commitTicks, _batchTicks, _failed;

    public void Committed(int messages, long commitTicks, long batchTicks)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _messages, messages);
        Interlocked.Add(ref _commitTicks, commitTicks);
        Interlocked.Add(ref _batchTicks, batchTicks);
    }

    public void Failed() => Interlocked.Increment(ref _failed);

    /// <summary>Totals since start; a reader takes two and divides the differences.</summary>
    public StatsSnapshot Snapshot() => new(
        Interlocked.Read(ref _batches),
        Interlocked.Read(ref _messages),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _commitTicks) / (double)System.Diagnostics.Stopwatch.Frequency,
        Interlocked.Read(ref _batchTicks) / (double)System.Diagnostics.Stopwatch.Frequency);
}

/// <param name="CommitSeconds">Time spent in COMMIT (the WAL write and its fsync), summed over the batches.</param>
/// <param name="BatchSeconds">Time from a batch's BEGIN to its acks, summed: the writer's busy time.</param>
public sealed record StatsSnapshot(long Batches, long Messages, long FailedBatches, double CommitSeconds, double BatchSeconds);
