using System.Threading.RateLimiting;

namespace ChatApp.Server.Limits;

/// <summary>
/// One limiter per key (a user, an address), with a size cap and expiry. A limiter that is idle (a token
/// bucket that has filled up again, a concurrency limiter with no lease) is indistinguishable from a new one,
/// so the periodic sweep drops it: keys expire as soon as time has undone what they did. When the table is
/// full of busy keys, a new key shares one overflow limiter instead of adding an entry.
/// </summary>
public sealed class LimiterTable(Func<RateLimiter> create, int capacity)
{
    private readonly Dictionary<string, RateLimiter> _limiters = new(StringComparer.Ordinal);
    private readonly RateLimiter _overflow = create();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _limiters.Count;
            }
        }
    }

    public RateLimitLease Acquire(string key) => LimiterFor(key).AttemptAcquire(1);

    private RateLimiter LimiterFor(string key)
    {
        lock (_lock)
        {
            if (_limiters.TryGetValue(key, out var limiter))
            {
                return limiter;
            }

            if (_limiters.Count >= capacity)
            {
                DropIdle();
                if (_limiters.Count >= capacity)
                {
                    return _overflow;
                }
            }

            return _limiters[key] = create();
        }
    }

    /// <summary>Refills the buckets (they do not run timers of their own: one sweep for all) and forgets the idle ones.</summary>
    public void Sweep()
    {
        lock (_lock)
        {
            foreach (var limiter in _limiters.Values)
            {
                (limiter as ReplenishingRateLimiter)?.TryReplenish();
            }

            (_overflow as ReplenishingRateLimiter)?.TryReplenish();
            DropIdle();
        }
    }

    private void DropIdle()
    {
        // Not disposed: a caller may have just taken one; an idle limiter holds no timer and no waiters.
        foreach (var (key, limiter) in _limiters)
        {
            if (limiter.IdleDuration is not null)
            {
                _limiters.Remove(key);
            }
        }
    }
}
