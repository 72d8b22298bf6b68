using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using ChatApp.Server.Hosting;
using ChatApp.Server.Limits;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatApp.Server.Cluster;

/// <summary>
/// The limits of cluster mode, in Redis, so a user spread over N nodes gets one limit, not N. Each rate limit is a
/// token bucket in a hash (<c>prefix:limit:Kind:key</c>), refilled by Redis's own clock and updated by one script,
/// one round trip per call; it expires once it would be full again, so idle keys vanish. Connections are counted
/// per node (<c>prefix:connections:node</c>, user to count), and a new one is refused when this node's count plus
/// the live nodes' reaches the quota. When Redis does not answer, the node's own limiters decide (logged, counted).
/// </summary>
public sealed partial class RedisLimits : BackgroundService, ISharedLimits
{
    // ARGV: burst, tokens per millisecond, lifetime in ms. Returns {1, 0} or {0, ms until a token is back}.
    private const string BucketScript = """
        local now = redis.call('TIME')
        now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local burst = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(bucket[1]) or burst
        local at = tonumber(bucket[2]) or now
        tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
        local granted, wait = 0, 0
        if tokens >= 1 then tokens = tokens - 1; granted = 1 else wait = math.ceil((1 - tokens) / rate) end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {granted, wait}
        """;

    // KEYS: this node's counts, then the live other nodes'. ARGV: the user key, the quota, this node's key lifetime in ms.
    private const string OpenScript = """
        local total = 0
        for i = 1, #KEYS do total = total + (tonumber(redis.call('HGET', KEYS[i], ARGV[1])) or 0) end
        if total >= tonumber(ARGV[2]) then return 0 end
        redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    private const string CloseScript = """
        if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
        """;

    // Every heartbeat this node's counts are written again from its own: they survive a Redis restart, and a close
    // that Redis missed (or a connection opened while the write was on its way) is set right within a beat.
    private const string RenewScript = """
        redis.call('DEL', KEYS[1])
        if #ARGV > 1 then redis.call('HSET', KEYS[1], unpack(ARGV, 2)) end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        """;

    /// <summary>How long a call waits for Redis before the node's own limiter decides instead.</summary>
    private static readonly TimeSpan RedisTimeout = TimeSpan.FromSeconds(2);

    private readonly RedisConnection _redis;
    private readonly ClusterPresence _presence;
    private readonly LimitsOptions _limits;
    private readonly ClusterOptions _cluster;
    private readonly ILogger<RedisLimits> _logger;
    private readonly Counter<long> _fallbacks;
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    // Opens, closes and the renewal change this node's counts one at a time, each with its script sent before the next
    // starts: a renewal's snapshot taken while an open's script was on its way used to land after it and erase that
    // open from Redis until the next beat, letting one connection past the quota (a flaky cluster test showed it).
    private readonly SemaphoreSlim _countsGate = new(1, 1);
    private int _degraded;

    public RedisLimits(
        RedisConnection redis,
        ClusterPresence presence,
        IOptions<LimitsOptions> limits,
        IOptions<ClusterOptions> cluster,
        IMeterFactory meters,
        ILogger<RedisLimits> logger)
    {
        _redis = redis;
        _presence = presence;
        _limits = limits.Value;
        _cluster = cluster.Value;
        _logger = logger;
        _fallbacks = meters.Create(ChatMetrics.MeterName).CreateCounter<long>(
            "chatapp.limits.redis_fallbacks", "{call}", "Limit checks decided by the node's own limiter because Redis did not answer");
    }

    private RedisKey ConnectionsKey(string node) => _cluster.Prefix + ":connections:" + node;

    private long ConnectionsLifetimeMs => _cluster.NodeTimeoutSeconds * 1000L;

    public async ValueTask<RateLimitLease?> AcquireAsync(LimitKind kind, string key, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _redis.GetAsync(cancellationToken);
            if (!connection.IsConnected)
            {
                return Fallback(null);
            }

            var db = connection.GetDatabase();
            var lease = kind == LimitKind.Connections
                ? await OpenWithinTimeoutAsync(db, key, cancellationToken)
                : await TakeAsync(db, kind, key).WaitAsync(RedisTimeout, cancellationToken);
            if (Interlocked.Exchange(ref _degraded, 0) == 1)
            {
                LogRedisBack(_logger);
            }

            return lease;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return Fallback(ex);
        }
    }

    private async Task<RateLimitLease> TakeAsync(IDatabase db, LimitKind kind, string key)
    {
        var rule = BucketRule.For(kind, _limits);
        var perMs = rule.Rate / rule.Window.TotalMilliseconds;
        var lifetimeMs = (long)Math.Ceiling(rule.Burst / perMs) + 1000; // by then it is full again: the same as no bucket
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(
            BucketScript,
            [(RedisKey)$"{_cluster.Prefix}:limit:{kind}:{key}"],
            [rule.Burst, perMs.ToString("R", CultureInfo.InvariantCulture), lifetimeMs]))!;
        return (int)result[0] == 1 ? Leases.Granted : Leases.Refused(TimeSpan.FromMilliseconds((long)result[1]));
    }

    private async Task<RateLimitLease> OpenWithinTimeoutAsync(IDatabase db, string key, CancellationToken cancellationToken)
    {
        var opening = OpenAsync(db, key);
        try
        {
            return await opening.WaitAsync(RedisTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The caller goes on without this lease (the node's own limiter decides, or the connection is gone), but the
            // script still runs when Redis gets to it and may count the connection: a place nobody would give back.
            _ = GiveBackWhenOpenedAsync(opening);
            throw;
        }
    }

    private static async Task GiveBackWhenOpenedAsync(Task<RateLimitLease> opening)
    {
        try
        {
            (await opening).Dispose(); // a refusal holds nothing; an open closes again
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Never counted, or the next renewal writes this node's true counts.
        }
    }

    private async Task<RateLimitLease> OpenAsync(IDatabase db, string key)
    {
        RedisKey[] keys = [ConnectionsKey(_cluster.NodeName), .. _presence.Others.Select(ConnectionsKey)];
        await _countsGate.WaitAsync();
        try
        {
            var opened = (int)await db.ScriptEvaluateAsync(OpenScript, keys, [key, _limits.ConnectionsPerUser, ConnectionsLifetimeMs]);
            if (opened == 0)
            {
                return Leases.Refused(null);
            }

            _open.AddOrUpdate(key, 1, (_, n) => n + 1);
            return new ConnectionLease(this, key);
        }
        finally
        {
            _countsGate.Release();
        }
    }

    /// <summary>A connection ended: its count goes down here and in Redis, without anyone waiting for it.</summary>
    private void Close(string key) => _ = CloseAsync(key);

    private async Task CloseAsync(string key)
    {
        await _countsGate.WaitAsync();
        try
        {
            if (_open.AddOrUpdate(key, 0, (_, n) => n - 1) <= 0)
            {
                _open.TryRemove(new KeyValuePair<string, int>(key, 0));
            }

            var db = (await _redis.GetAsync(CancellationToken.None)).GetDatabase();
            await db.ScriptEvaluateAsync(CloseScript, [ConnectionsKey(_cluster.NodeName)], [key], CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The next renewal writes this node's true counts.
            Fallback(ex);
        }
        finally
        {
            _countsGate.Release();
        }
    }

    private RateLimitLease? Fallback(Exception? exception)
    {
        _fallbacks.Add(1);
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            LogRedisDown(_logger, exception);
        }

        return null;
    }

    /// <summary>Keeps this node's connection counts alive in Redis (they expire when the node dies), rewritten from its own every beat.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_limits.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_cluster.HeartbeatSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var db = (await _redis.GetAsync(stoppingToken)).GetDatabase();
                    await _countsGate.WaitAsync(stoppingToken);
                    try
                    {
                        RedisValue[] counts = [ConnectionsLifetimeMs, .. _open.Where(c => c.Value > 0).SelectMany(c => new RedisValue[] { c.Key, c.Value })];
                        await db.ScriptEvaluateAsync(RenewScript, [ConnectionsKey(_cluster.NodeName)], counts).WaitAsync(RedisTimeout, stoppingToken);
                    }
                    finally
                    {
                        _countsGate.Release();
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Fallback(ex); // the next tick tries again
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; the counts expire with this node.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis does not answer: rate limits and the connection quota are counted on this node alone until it does")]
    private static partial void LogRedisDown(ILogger logger, Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again: rate limits and the connection quota are cluster-wide again")]
    private static partial void LogRedisBack(ILogger logger);
}
