using System.Collections.Concurrent;
using ChatApp.Contracts;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>
/// The user and room rows the durable hub's entries refer to (foreign keys), made through the writer on first sight and
/// cached by name: a send looks its room up in memory and queries nothing.
/// </summary>
public sealed class DurableDirectory(DurableWriter writer)
{
    private readonly ConcurrentDictionary<string, DurableUser> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DurableRoom> _rooms = new(StringComparer.OrdinalIgnoreCase);

    public async Task<DurableUser> UserAsync(string name, CancellationToken cancellationToken)
    {
        if (_users.TryGetValue(name, out var known))
        {
            return known;
        }

        var id = await writer.RunAloneAsync(async (statements, ct) =>
        {
            statements.AddUser.Parameters[0].Value = name;
            statements.AddUser.Parameters[1].Value = DateTimeOffset.UtcNow;
            await statements.AddUser.ExecuteNonQueryAsync(ct);
            statements.UserId.Parameters[0].Value = name;
            return Convert.ToInt64(await statements.UserId.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);
        return _users.GetOrAdd(name, new DurableUser(id, name));
    }

    public async Task<DurableRoom> RoomAsync(string name, CancellationToken cancellationToken)
    {
        if (_rooms.TryGetValue(name, out var known))
        {
            return known;
        }

        var canonical = name.ToLowerInvariant(); // the group's name, as BroadcastHub names it
        var room = await writer.RunAloneAsync(async (statements, ct) =>
        {
            statements.AddRoom.Parameters[0].Value = canonical;
            statements.AddRoom.Parameters[1].Value = DateTimeOffset.UtcNow;
            await statements.AddRoom.ExecuteNonQueryAsync(ct);
            statements.RoomIdAndSeq.Parameters[0].Value = canonical;
            await using var reader = await statements.RoomIdAndSeq.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new DurableRoom(reader.GetInt64(0), canonical, reader.GetInt64(1))
                : throw new InvalidOperationException($"Room {canonical} has no row after its insert.");
        }, cancellationToken);
        return _rooms.GetOrAdd(name, room);
    }

    public DurableRoom? Find(string name) => _rooms.GetValueOrDefault(name);

    public IReadOnlyList<RoomInfo> List() => _rooms.Values.Select(Info).ToList();

    public static RoomInfo Info(DurableRoom room) => new() { Name = room.Name, IsPrivate = false, LastSeq = room.LastSeq, IsMember = true };
}
