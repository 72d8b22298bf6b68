using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Limits;

/// <summary>What a limit counts; each has its own table of per-key limiters.</summary>
public enum LimitKind
{
    /// <summary>Messages, edits, deletes and reactions, per user.</summary>
    Messages,

    /// <summary>Other hub calls and REST requests, per user.</summary>
    Calls,

    /// <summary>New accounts, per address.</summary>
    Registrations,

    /// <summary>Login attempts, per address.</summary>
    Logins,

    /// <summary>New rooms, per user.</summary>
    Rooms,

    /// <summary>Open hub connections, per user (a concurrency limit, not a rate).</summary>
    Connections,
}

/// <summary>
/// Every rate limit and quota, on System.Threading.RateLimiting's limiters: token buckets (a burst, then a
/// sustained rate) and a concurrency limiter for connections. The REST rate limiter and the hub filter both
/// take their leases here, so a user's REST posts and hub sends draw on the same bucket.
/// </summary>
public sealed class ChatLimiters : BackgroundService
{
    /// <summary>The lease of a call no limit applies to.</summary>
    internal static readonly RateLimitLease Unlimited = new GrantedLease();

    private readonly Dictionary<LimitKind, (LimiterTable Table, TimeSpan Period)> _tables = [];
    private readonly ISharedLimits? _shared;

    public ChatLimiters(IOptions<LimitsOptions> options, ISharedLimits? shared = null)
    {
        var o = options.Value;
        Enabled = o.Enabled;
        _shared = shared;
        var hour = TimeSpan.FromHours(1);
        var minute = TimeSpan.FromMinutes(1);
        AddBucket(LimitKind.Messages, o.MessagesBurst, o.MessagesPerMinute, minute, o.MaxTrackedKeys);
        AddBucket(LimitKind.Calls, o.CallsBurst, o.CallsPerMinute, minute, o.MaxTrackedKeys);
        AddBucket(LimitKind.Registrations, o.RegistrationsBurst, o.RegistrationsPerHour, hour, o.MaxTrackedKeys);
        AddBucket(LimitKind.Logins, o.LoginsBurst, o.LoginsPerMinute, minute, o.MaxTrackedKeys);
        AddBucket(LimitKind.Rooms, o.RoomsBurst, o.RoomsPerHour, hour, o.MaxTrackedKeys);
        var connections = new ConcurrencyLimiterOptions { PermitLimit = o.ConnectionsPerUser, QueueLimit = 0 };
        _tables[LimitKind.Connections] = (new LimiterTable(() => new ConcurrencyLimiter(connections), o.MaxTrackedKeys), TimeSpan.FromSeconds(10));
    }

    public bool Enabled { get; }

    /// <summary>
    /// A lease for one call by <paramref name="key"/>; not acquired means refused (its RetryAfter metadata says
    /// when to try again). Dispose it when the work is done: for connections that is when the connection ends.
    /// </summary>
    public RateLimitLease Acquire(LimitKind kind, string key) => Enabled ? _tables[kind].Table.Acquire(key) : Unlimited;

    /// <summary>True in cluster mode: the limits live in the shared store, so a lease takes a round trip (<see cref="AcquireSharedAsync"/>).</summary>
    public bool Shared => Enabled && _shared is not null;

    /// <summary>
    /// A lease from the limit every node shares; when the store cannot answer, from this node's own limiter
    /// (the same limit, counted on this node alone, until the store is back).
    /// </summary>
    public async ValueTask<RateLimitLease> AcquireSharedAsync(LimitKind kind, string key, CancellationToken cancellationToken) =>
        (Shared ? await _shared!.AcquireAsync(kind, key, cancellationToken) : null) ?? Acquire(kind, key); // Shared says _shared is set

    /// <summary>How many keys a limit tracks now (for tests of the memory bound).</summary>
    public int TrackedKeys(LimitKind kind) => _tables[kind].Table.Count;

    /// <summary>Runs every table's sweep at its refill period now, for tests that cannot wait for the timer.</summary>
    internal void SweepAll()
    {
        foreach (var (table, _) in _tables.Values)
        {
            table.Sweep();
        }
    }

    /// <summary>One loop per table, refilling and dropping idle keys at the table's period.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Enabled
        ? Task.WhenAll(_tables.Values.Select(t => SweepAsync(t.Table, t.Period, stoppingToken)))
        : Task.CompletedTask;

    private static async Task SweepAsync(LimiterTable table, TimeSpan period, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                table.Sweep();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// A bucket of <paramref name="burst"/> tokens refilled at <paramref name="rate"/> per <paramref name="window"/>.
    /// Refills come in steps of at least a second (or one token), so the sweep stays cheap with many keys.
    /// </summary>
    private void AddBucket(LimitKind kind, int burst, int rate, TimeSpan window, int capacity)
    {
        var tokens = Math.Max(1, (int)(rate / window.TotalSeconds));
        var period = window * tokens / rate;
        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            AutoReplenishment = false, // the table's sweep refills every bucket; no timer per key
            QueueLimit = 0,
        };
        _tables[kind] = (new LimiterTable(() => new TokenBucketRateLimiter(options), capacity), period);
    }

    private sealed class GrantedLease : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
