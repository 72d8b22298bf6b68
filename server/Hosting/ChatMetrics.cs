using System.Diagnostics.Metrics;

namespace ChatApp.Server.Hosting;

/// <summary>
/// ChatApp's own instruments, on the meter "ChatApp" (exported with ASP.NET Core's, Kestrel's, SignalR's
/// and the runtime's; see README "Observe it"). One class, so every name and unit is in one place; the
/// parts that measure call its methods.
/// </summary>
public sealed class ChatMetrics
{
    public const string MeterName = "ChatApp";

    // Seconds. Without advice the SDK's default buckets are made for milliseconds (0, 5, 10, 25, ... 10,000): every
    // batch fell in the first bucket, and the histogram could not show the writer's tail at all.
    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter<long> _committed;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<long> _batchSize;
    private readonly UpDownCounter<long> _writeQueue;
    private readonly UpDownCounter<long> _fanOutQueue;
    private readonly Counter<long> _deliveriesStarted;
    private long _deliveriesFailed;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _rateLimited;
    private readonly UpDownCounter<long> _passwordHashWaiting;

    public ChatMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _committed = meter.CreateCounter<long>("chatapp.messages.committed", "{entry}", "Log entries committed (messages, edits, deletes, reactions), by kind");
        _commitDuration = meter.CreateHistogram<double>("chatapp.writer.commit.duration", "s", "Time to run and commit one batch of the writer, by outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _batchSize = meter.CreateHistogram<long>("chatapp.writer.batch.size", "{command}", "Commands in one batch (one transaction, one fsync)");
        _writeQueue = meter.CreateUpDownCounter<long>("chatapp.writer.queue.depth", "{command}", "Commands queued for the writer and not yet taken into a batch");
        _fanOutQueue = meter.CreateUpDownCounter<long>("chatapp.fanout.queue.depth", "{send}", "Live sends queued for the broadcaster and not yet started");
        _deliveriesStarted = meter.CreateCounter<long>("chatapp.deliveries.started", "{send}", "Live sends started (one per entry, group change or event, to a group or user)");
        // Observed rather than added to, so a healthy server shows a 0 instead of no series at all: a dashboard or an
        // alert on its rate then tells "none failed" from "not exported".
        meter.CreateObservableCounter("chatapp.deliveries.failed", () => Volatile.Read(ref _deliveriesFailed), "{send}",
            "Live sends that failed (the log keeps the entry; clients catch up by seq)");
        _connections = meter.CreateUpDownCounter<long>("chatapp.connections", "{connection}", "Open hub connections");
        _refused = meter.CreateCounter<long>("chatapp.calls.refused", "{call}", "Hub calls and REST requests refused with a ChatApp error, by code");
        _rateLimited = meter.CreateCounter<long>("chatapp.calls.rate_limited", "{call}", "Calls refused by a rate limit, by limit");
        _passwordHashWaiting = meter.CreateUpDownCounter<long>(
            "chatapp.password_hash.waiting", "{request}", "Logins and registrations waiting for a password-hashing slot");
    }

    public void Committed(string kind, int count = 1) => _committed.Add(count, new KeyValuePair<string, object?>("kind", kind));

    public void BatchCommitted(int commands, TimeSpan elapsed, bool succeeded)
    {
        _batchSize.Record(commands);
        _commitDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", succeeded ? "committed" : "failed"));
    }

    public void WriteQueued() => _writeQueue.Add(1);

    public void WriteDequeued(int count = 1) => _writeQueue.Add(-count);

    public void SendQueued(int count = 1) => _fanOutQueue.Add(count);

    /// <summary>Queued sends taken off the fan-out queue and started.</summary>
    public void SendsStarted(int count)
    {
        _fanOutQueue.Add(-count);
        _deliveriesStarted.Add(count);
    }

    /// <summary>Live sends started that never waited in the fan-out queue (a cluster node's entries).</summary>
    public void DeliveriesStarted(int count) => _deliveriesStarted.Add(count);

    public void SendFailed() => Interlocked.Increment(ref _deliveriesFailed);

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    /// <summary>A call refused with <paramref name="code"/>, one of the error scheme's codes ("[code] text"), so a dashboard and a client speak of the same thing.</summary>
    public void Refused(string code) => _refused.Add(1, new KeyValuePair<string, object?>("code", code));

    /// <summary>For the rate limiter: a call refused by <paramref name="limit"/> (the limit's kind, such as Messages or Logins).</summary>
    public void RateLimited(string limit) => _rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));

    /// <summary>A login or registration starts (+1) or stops (-1) waiting for a password-hashing slot.</summary>
    public void PasswordHashWaiting(int change) => _passwordHashWaiting.Add(change);
}
