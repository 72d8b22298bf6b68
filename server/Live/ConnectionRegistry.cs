namespace ChatApp.Server.Live;

/// <summary>Which connections each user has open right now (several tabs or devices count once as a user).</summary>
public sealed class ConnectionRegistry
{
    private readonly Dictionary<long, HashSet<string>> _byUser = [];
    private readonly Lock _lock = new();

    /// <summary>Returns true when this is the user's first open connection.</summary>
    public bool Add(long userId, string connectionId)
    {
        lock (_lock)
        {
            if (!_byUser.TryGetValue(userId, out var set))
            {
                _byUser[userId] = set = [];
            }

            set.Add(connectionId);
            return set.Count == 1;
        }
    }

    /// <summary>Returns true when this was the user's last open connection.</summary>
    public bool Remove(long userId, string connectionId)
    {
        lock (_lock)
        {
            if (!_byUser.TryGetValue(userId, out var set) || !set.Remove(connectionId))
            {
                return false;
            }

            if (set.Count == 0)
            {
                _byUser.Remove(userId);
                return true;
            }

            return false;
        }
    }

    public IReadOnlyList<string> ConnectionsOf(long userId)
    {
        lock (_lock)
        {
            return _byUser.TryGetValue(userId, out var set) ? [.. set] : [];
        }
    }

    public bool IsOnline(long userId)
    {
        lock (_lock)
        {
            return _byUser.ContainsKey(userId);
        }
    }
}
