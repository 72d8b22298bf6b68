using System.Globalization;
using ChatApp.Server.Live;
using ChatApp.Server.Rooms;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatApp.Server.Cluster;

/// <summary>
/// This node's heartbeat, and the end of dead nodes' presence: a node whose heartbeat key expired is dead, its
/// users' presence hash is claimed by one node (an atomic RENAME: only one wins), and those of its users with no
/// connection anywhere else are announced offline. A dead node's users go offline within about
/// NodeTimeoutSeconds + HeartbeatSeconds.
/// </summary>
public sealed partial class NodeSweeper(
    RedisConnection redis,
    ClusterPresence presence,
    ConnectionRegistry local,
    RoomQueries rooms,
    RoomBroadcaster broadcaster,
    IOptions<ClusterOptions> options,
    ILogger<NodeSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var me = options.Value.NodeName;
        try
        {
            // A node restarted under the same name: what its last run left is swept like any dead node's.
            await SafelyAsync(() => SweepAsync(me, stoppingToken), stoppingToken);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds));
            do
            {
                await SafelyAsync(() => BeatAsync(me, stoppingToken), stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; the heartbeat key expires by itself.
        }
    }

    private async Task BeatAsync(string me, CancellationToken cancellationToken)
    {
        var db = (await redis.GetAsync(cancellationToken)).GetDatabase();
        await db.StringSetAsync(presence.AliveKey(me), "1", TimeSpan.FromSeconds(options.Value.NodeTimeoutSeconds));
        await db.SetAddAsync(presence.NodesKey, me);

        // Redis restarted (it keeps nothing on disk): this node's users are written again.
        var mine = presence.Mine;
        if (await db.HashLengthAsync(presence.PresenceKey(me)) != mine.Count && mine.Count > 0)
        {
            await db.HashSetAsync(presence.PresenceKey(me), [.. mine.Select(u => new HashEntry(u.Key.ToString(CultureInfo.InvariantCulture), u.Value))]);
        }

        var alive = new List<string>();
        foreach (var node in (await db.SetMembersAsync(presence.NodesKey)).Select(n => n.ToString()).Where(n => n != me))
        {
            if (await db.KeyExistsAsync(presence.AliveKey(node)))
            {
                alive.Add(node);
            }
            else
            {
                await SweepAsync(node, cancellationToken);
            }
        }

        presence.SetOthers(alive);
    }

    private async Task SweepAsync(string node, CancellationToken cancellationToken)
    {
        var db = (await redis.GetAsync(cancellationToken)).GetDatabase();
        var claimed = (RedisKey)$"{presence.PresenceKey(node)}:swept-by:{options.Value.NodeName}";
        if (!await db.KeyExistsAsync(presence.PresenceKey(node)))
        {
            await db.SetRemoveAsync(presence.NodesKey, node);
            return;
        }

        try
        {
            await db.KeyRenameAsync(presence.PresenceKey(node), claimed);
        }
        catch (RedisServerException)
        {
            return; // another node claimed it first ("no such key")
        }

        var users = await db.HashGetAllAsync(claimed);
        await db.KeyDeleteAsync(claimed);
        await db.SetRemoveAsync(presence.NodesKey, node);
        var offline = 0;
        foreach (var user in users)
        {
            var userId = long.Parse(user.Name.ToString(), CultureInfo.InvariantCulture);
            if (local.IsOnline(userId) || await presence.IsOnlineAsync(userId, cancellationToken))
            {
                continue;
            }

            var roommates = await rooms.RoommateIdsAsync(userId, cancellationToken);
            var name = user.Value.ToString();
            if (roommates.Count > 0)
            {
                broadcaster.Send(clients => clients.Users(roommates).UserOffline(name));
            }

            offline++;
        }

        LogSwept(logger, node, offline);
    }

    private async Task SafelyAsync(Func<Task> step, CancellationToken stoppingToken)
    {
        try
        {
            await step();
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Redis or the database did not answer: the next beat tries again.
            LogBeatFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} stopped beating; {Count} of its users are now offline")]
    private static partial void LogSwept(ILogger logger, string node, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The presence heartbeat could not reach Redis")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception);
}
