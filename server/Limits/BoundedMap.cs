namespace ChatApp.Server.Limits;

/// <summary>
/// Per-key state that callers create at will (failed logins per name, typing per room) with a size cap and
/// time-based expiry: an entry lives for <paramref name="lifetime"/> after it was last set, and when the map is
/// full the expired entries go, then the oldest tenth. So no sequence of requests grows it past the cap.
/// </summary>
public sealed class BoundedMap<TKey, TValue>(int capacity, TimeSpan lifetime, TimeProvider clock, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly Dictionary<TKey, (TValue Value, long SetAt)> _entries = new(comparer);
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (!IsExpired(entry.SetAt, clock.GetTimestamp()))
                {
                    value = entry.Value;
                    return true;
                }

                _entries.Remove(key);
            }

            value = default!;
            return false;
        }
    }

    /// <summary>Sets the value from the current one (absent or expired: <paramref name="add"/>), atomically.</summary>
    public TValue Update(TKey key, Func<TValue> add, Func<TValue, TValue> update)
    {
        lock (_lock)
        {
            var now = clock.GetTimestamp();
            var value = _entries.TryGetValue(key, out var entry) && !IsExpired(entry.SetAt, now) ? update(entry.Value) : add();
            if (!_entries.ContainsKey(key) && _entries.Count >= capacity)
            {
                MakeRoom(now);
            }

            _entries[key] = (value, now);
            return value;
        }
    }

    public void Set(TKey key, TValue value) => Update(key, () => value, _ => value);

    public bool Remove(TKey key)
    {
        lock (_lock)
        {
            return _entries.Remove(key);
        }
    }

    private bool IsExpired(long setAt, long now) => clock.GetElapsedTime(setAt, now) >= lifetime;

    private void MakeRoom(long now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (IsExpired(entry.SetAt, now))
            {
                _entries.Remove(key);
            }
        }

        if (_entries.Count < capacity)
        {
            return;
        }

        // All fresh: the oldest tenth goes, so a full map costs one sort per tenth of its size, not one per insert.
        var evict = Math.Max(1, capacity / 10);
        foreach (var key in _entries.OrderBy(e => e.Value.SetAt).Take(evict).Select(e => e.Key).ToList())
        {
            _entries.Remove(key);
        }
    }
}
