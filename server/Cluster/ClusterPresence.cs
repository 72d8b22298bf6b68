using System.Collections.Concurrent;
using System.Globalization;
using ChatApp.Server.Live;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatApp.Server.Cluster;

/// <summary>
/// Cluster-wide presence in Redis: each node keeps a hash of the users it has connections of
/// (<c>prefix:presence:node</c>) and a heartbeat key that expires (<c>prefix:alive:node</c>). A user is online
/// elsewhere when a live other node's hash holds them; <see cref="NodeSweeper"/> clears the hashes of dead nodes.
/// </summary>
public sealed partial class ClusterPresence(RedisConnection redis, IOptions<ClusterOptions> options, ILogger<ClusterPresence> logger) : IOnlineElsewhere
{
    private readonly ConcurrentDictionary<long, string> _mine = new();
    private volatile string[] _others = [];

    private ClusterOptions Options => options.Value;

    /// <summary>This node's users now, as it told Redis (re-told when Redis lost them, after a restart).</summary>
    public IReadOnlyDictionary<long, string> Mine => _mine;

    /// <summary>The other nodes that are alive, as the last heartbeat saw them.</summary>
    public IReadOnlyList<string> Others => _others;

    /// <summary>Set by the heartbeat: the other nodes that are alive.</summary>
    public void SetOthers(IEnumerable<string> alive) => _others = [.. alive];

    public RedisKey PresenceKey(string node) => Options.Prefix + ":presence:" + node;

    public RedisKey AliveKey(string node) => Options.Prefix + ":alive:" + node;

    public RedisKey NodesKey => Options.Prefix + ":nodes";

    // One script, so setting this node's entry and looking at the others is one atomic step in Redis.
    private const string SetAndLookScript = """
        if ARGV[3] == '1' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
        for i = 2, #KEYS do
          if redis.call('HEXISTS', KEYS[i], ARGV[1]) == 1 then return 1 end
        end
        return 0
        """;

    public async Task<bool> SetAsync(long userId, string userName, bool online, CancellationToken cancellationToken)
    {
        if (online)
        {
            _mine[userId] = userName;
        }
        else
        {
            _mine.TryRemove(userId, out _);
        }

        try
        {
            var db = (await redis.GetAsync(cancellationToken)).GetDatabase();
            RedisKey[] keys = [PresenceKey(Options.NodeName), .. _others.Select(PresenceKey)];
            var elsewhere = await db.ScriptEvaluateAsync(SetAndLookScript, keys, [Field(userId), userName, online ? "1" : "0"]);
            return (int)elsewhere == 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The heartbeat writes this node's users again once Redis answers; meanwhile only this node counts.
            LogRedisFailed(logger, ex);
            return false;
        }
    }

    public async Task<bool> IsOnlineAsync(long userId, CancellationToken cancellationToken) =>
        (await OnlineAsync([userId], cancellationToken)).Count > 0;

    public async Task<IReadOnlySet<long>> OnlineAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
    {
        var online = new HashSet<long>();
        var others = _others;
        if (others.Length == 0 || userIds.Count == 0)
        {
            return online;
        }

        try
        {
            var db = (await redis.GetAsync(cancellationToken)).GetDatabase();
            var fields = userIds.Select(id => (RedisValue)Field(id)).ToArray();
            var answers = await Task.WhenAll(others.Select(node => db.HashGetAsync(PresenceKey(node), fields)));
            foreach (var values in answers)
            {
                for (var i = 0; i < fields.Length; i++)
                {
                    if (values[i].HasValue)
                    {
                        online.Add(userIds.ElementAt(i));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Without Redis only this node's own connections count.
            LogRedisFailed(logger, ex);
        }

        return online;
    }

    private static string Field(long userId) => userId.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence in Redis could not be read or written")]
    private static partial void LogRedisFailed(ILogger logger, Exception exception);
}
