using ChatApp.Client;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// The simulation's rooms: created before the bots join (by the first bot, which then owns them) and, unless
/// <c>--keep-rooms</c>, deleted by that owner at the end, so fifty load-test rooms do not stay in everyone's
/// room list. Deleting needs the owner (or an admin): rooms another user created are reported, not forced.
/// </summary>
internal sealed class SimulationRooms(CliEnvironment env, SimulationOptions options)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Creates the rooms that do not exist yet. The creator leaves the ones it is not assigned to, so it gets no extra traffic.</summary>
    public async Task EnsureAsync(Bot creator, CancellationToken cancellationToken)
    {
        await UsingConnectionAsync(creator, async (connection, ct) =>
        {
            var existing = (await connection.ListRoomsAsync(ct)).Select(r => r.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < options.Rooms; i++)
            {
                var name = options.RoomName(i);
                if (existing.Contains(name))
                {
                    continue;
                }

                try
                {
                    await connection.CreateRoomAsync(name, isPrivate: false, ct);
                    if (!creator.Rooms.Contains(i))
                    {
                        await connection.LeaveRoomAsync(name, ct);
                    }
                }
                catch (HubException)
                {
                    // Created meanwhile by another run; joining it works the same.
                }
            }
        }, cancellationToken);
    }

    /// <summary>Deletes every room of the simulation as <paramref name="owner"/>; what cannot be deleted is reported, not thrown.</summary>
    public async Task<CleanupStats> RemoveAsync(Bot owner, CancellationToken cancellationToken)
    {
        if (options.KeepRooms)
        {
            return new CleanupStats(Kept: true, 0, []);
        }

        var removed = new HashSet<int>();
        var notRemoved = new List<string>();
        try
        {
            await UsingConnectionAsync(owner, async (connection, ct) =>
            {
                notRemoved.Clear(); // a repeat on a new connection says it all again
                for (var i = 0; i < options.Rooms; i++)
                {
                    var name = options.RoomName(i);
                    if (removed.Contains(i))
                    {
                        continue;
                    }

                    try
                    {
                        await connection.DeleteRoomAsync(name, ct);
                        removed.Add(i);
                    }
                    catch (HubException ex)
                    {
                        notRemoved.Add($"{name} ({SessionConnection.ServerWords(ex)})");
                    }
                }
            }, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            notRemoved.Add($"the rest ({SimulationRun.Describe(ex)})");
        }

        return new CleanupStats(Kept: false, removed.Count, notRemoved);
    }

    /// <summary>
    /// A connection of its own for <paramref name="bot"/>, bounded in time; when it is lost midway (a server going
    /// away, an access token at its end) <paramref name="body"/> runs again on a new one, on the next server if there
    /// are several, so it must be safe to repeat.
    /// </summary>
    private async Task UsingConnectionAsync(Bot bot, Func<ChatConnection, CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var attempts = Math.Max(3, options.Servers.Count);
        for (var attempt = 0; ; attempt++)
        {
            var server = options.Servers[(bot.CurrentServer + attempt) % options.Servers.Count];
            await using var connection = env.CreateConnection(server, bot.Tokens!.Provider, options.Connection()); // only logged-in bots get here
            try
            {
                await connection.StartAsync(timeout.Token);
                await body(connection, timeout.Token);
                await connection.StopAsync(timeout.Token);
                return;
            }
            catch (Exception ex) when (!timeout.IsCancellationRequested && ex is not HubException && attempt + 1 < attempts)
            {
                // Lost or refused before the end: again, on a new connection.
            }
        }
    }
}
