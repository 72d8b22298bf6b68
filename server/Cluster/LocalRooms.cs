namespace ChatApp.Server.Cluster;

/// <summary>
/// Which of this node's connections receive each room's entries. In cluster mode the SignalR groups live in the
/// Redis backplane, where a group send goes to every node; entries must go out once, from this node's own
/// ordered stream, to this node's own connections, so they are sent connection by connection from this list.
/// </summary>
public sealed class LocalRooms
{
    private readonly Dictionary<string, HashSet<string>> _byRoom = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _open = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A connection of this node opened: group changes for it may follow.</summary>
    public void Opened(string connectionId, long userId)
    {
        lock (_lock)
        {
            _open[connectionId] = userId;
        }
    }

    public bool IsOpen(string connectionId)
    {
        lock (_lock)
        {
            return _open.ContainsKey(connectionId);
        }
    }

    /// <summary>Returns false when the connection has closed meanwhile (a join that came too late).</summary>
    public bool Join(string room, string connectionId)
    {
        lock (_lock)
        {
            if (!_open.ContainsKey(connectionId))
            {
                return false;
            }

            Set(_byRoom, room).Add(connectionId);
            Set(_byConnection, connectionId).Add(room);
            return true;
        }
    }

    public void Leave(string room, string connectionId)
    {
        lock (_lock)
        {
            Remove(_byRoom, room, connectionId);
            Remove(_byConnection, connectionId, room);
        }
    }

    /// <summary>The connection closed: it leaves every room.</summary>
    public void Closed(string connectionId)
    {
        lock (_lock)
        {
            _open.Remove(connectionId);
            if (_byConnection.Remove(connectionId, out var rooms))
            {
                foreach (var room in rooms)
                {
                    Remove(_byRoom, room, connectionId);
                }
            }
        }
    }

    public bool IsIn(string room, string connectionId)
    {
        lock (_lock)
        {
            return _byRoom.TryGetValue(room, out var set) && set.Contains(connectionId);
        }
    }

    /// <summary>Whether any connection of this node is in the room.</summary>
    public bool IsServed(string room)
    {
        lock (_lock)
        {
            return _byRoom.ContainsKey(room);
        }
    }

    public IReadOnlyList<string> ConnectionsIn(string room)
    {
        lock (_lock)
        {
            return _byRoom.TryGetValue(room, out var set) ? [.. set] : [];
        }
    }

    /// <summary>Every (room, connection, user) of this node, to compare with the stored membership.</summary>
    public IReadOnlyList<(string Room, string ConnectionId, long UserId)> Memberships()
    {
        lock (_lock)
        {
            return [.. _byRoom.SelectMany(r => r.Value.Select(c => (r.Key, c, _open.GetValueOrDefault(c))))];
        }
    }

    /// <summary>The rooms with at least one connection of this node in them.</summary>
    public IReadOnlyList<string> Rooms()
    {
        lock (_lock)
        {
            return [.. _byRoom.Keys];
        }
    }

    private static HashSet<string> Set(Dictionary<string, HashSet<string>> map, string key)
    {
        if (!map.TryGetValue(key, out var set))
        {
            map[key] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        return set;
    }

    private static void Remove(Dictionary<string, HashSet<string>> map, string key, string value)
    {
        if (map.TryGetValue(key, out var set) && set.Remove(value) && set.Count == 0)
        {
            map.Remove(key);
        }
    }
}
