using ChatApp.Server.Data;
using ChatApp.Server.Limits;
using ChatApp.Server.Live;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatApp.Server.Cluster;

public static class ClusterExtensions
{
    /// <summary>
    /// Cluster mode, when Redis is configured: committed batches to every node through Redis, each node's own
    /// ordered delivery, the SignalR backplane (users and connections on other nodes), a shared Data Protection
    /// key ring, cluster-wide presence, Redis in readiness. Without Redis nothing here is registered.
    /// </summary>
    public static IHostApplicationBuilder AddChatCluster(this IHostApplicationBuilder builder)
    {
        var redis = ClusterOptions.RedisConfiguration(builder.Configuration);
        if (redis is null)
        {
            return builder;
        }

        builder.Services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section)
            .Configure(o => o.Redis = redis)
            .ValidateDataAnnotations()
            .Validate(o => o.NodeTimeoutSeconds >= 2 * o.HeartbeatSeconds, "Cluster:NodeTimeoutSeconds must be at least twice Cluster:HeartbeatSeconds.")
            .Validate(o => IsParsable(o.Redis), "ConnectionStrings:Redis is not a valid StackExchange.Redis configuration.")
            .ValidateOnStart();
        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        cluster.Redis = redis;

        builder.Services.AddSingleton<RedisConnection>();
        builder.Services.AddSingleton(services => new RoomSequencer(
            services.GetRequiredService<TimeProvider>(),
            TimeSpan.FromMilliseconds(services.GetRequiredService<IOptions<ClusterOptions>>().Value.GapTimeoutMilliseconds)));
        builder.Services.AddSingleton<LocalRooms>();
        builder.Services.AddSingleton<IClusterLog, ClusterLog>();
        builder.Services.AddSingleton<ClusterBus>();
        builder.Services.AddSingleton<ClusterFanout>();
        // Registered after the Live feature's: the writer hands its commits to the cluster fan-out instead.
        builder.Services.AddSingleton<ICommittedEffects>(services => services.GetRequiredService<ClusterFanout>());
        builder.Services.AddHostedService(services => services.GetRequiredService<ClusterFanout>());
        builder.Services.AddHostedService(services => services.GetRequiredService<ClusterBus>());
        builder.Services.AddSingleton<ClusterPresence>();
        builder.Services.AddSingleton<IOnlineElsewhere>(services => services.GetRequiredService<ClusterPresence>());
        builder.Services.AddHostedService<NodeSweeper>();
        // Rate limits and the connection quota in Redis: one limit per user across the nodes (ChatLimiters takes it).
        builder.Services.AddSingleton<RedisLimits>();
        builder.Services.AddSingleton<ISharedLimits>(services => services.GetRequiredService<RedisLimits>());
        builder.Services.AddHostedService(services => services.GetRequiredService<RedisLimits>());
        builder.Services.AddSingleton<ClusterConnections>();
        // An instance (see AddChatHub): AddFilter<T> would add a lookup and an async wrapper to every hub call.
        builder.Services.AddOptions<HubOptions>().Configure<ClusterConnections>((hub, filter) => hub.AddFilter(filter));

        // The backplane reaches users and connections on other nodes (RoomJoined, presence, typing, joins and
        // leaves announced to a room's group). Room entries do not go through it: see ClusterFanout.
        builder.Services.AddSignalR().AddStackExchangeRedis(options =>
        {
            options.Configuration = RedisConnection.Settings(cluster);
            options.Configuration.ChannelPrefix = RedisChannel.Literal(cluster.Prefix + ":signalr");
        });

        // One key ring for every node (and one application name: the default is the content root, which differs per install).
        // Its repository asks for a database on every read and write: one connection, made on first use, serves them all.
        var keyRing = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(RedisConnection.Settings(cluster)));
        builder.Services.AddDataProtection()
            .SetApplicationName("ChatApp")
            .PersistKeysToStackExchangeRedis(() => keyRing.Value.GetDatabase(), cluster.Prefix + ":dataprotection-keys");

        builder.Services.AddHealthChecks().AddCheck<RedisHealth>("redis", tags: [Hosting.Health.Ready]);
        return builder;
    }

    private static bool IsParsable(string? configuration)
    {
        try
        {
            return ConfigurationOptions.Parse(configuration ?? "").EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (RedisConnectionException)
        {
            return false;
        }
    }
}
