using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Cluster;

/// <summary>
/// Cluster mode, bound from the "Cluster" section and validated at start-up. It is on when Redis is configured
/// (<c>ConnectionStrings:Redis</c>, or <c>Redis:Configuration</c>); without it the server runs alone, as before.
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>The Redis connection (StackExchange.Redis syntax), from ConnectionStrings:Redis or Redis:Configuration.</summary>
    public string? Redis { get; set; }

    /// <summary>This node's name in Redis keys and logs; unique per running node (default: host name and process id).</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string NodeName { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Prefix of every Redis key and channel, so several ChatApp clusters can share one Redis.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,32}$")]
    public string Prefix { get; set; } = "chatapp";

    /// <summary>
    /// How long a room's entry or membership change may stay missing (a later one has arrived, or an entry that
    /// follows the change) before it is read from the database. Redis reorders publishes of different nodes by a
    /// few milliseconds; it drops them while a node reconnects.
    /// </summary>
    [Range(20, 10_000)]
    public int GapTimeoutMilliseconds { get; set; } = 250;

    /// <summary>How often the rooms this node serves are compared with the database, to find entries whose publish was lost and nothing followed.</summary>
    [Range(1, 300)]
    public int TailCheckSeconds { get; set; } = 2;

    /// <summary>How often this node renews its presence in Redis.</summary>
    [Range(1, 60)]
    public int HeartbeatSeconds { get; set; } = 2;

    /// <summary>A node that has not renewed its presence for this long is dead: its users stop counting as online.</summary>
    [Range(2, 600)]
    public int NodeTimeoutSeconds { get; set; } = 10;

    /// <summary>The Redis setting that turns cluster mode on, or null.</summary>
    public static string? RedisConfiguration(IConfiguration configuration) =>
        configuration.GetConnectionString("Redis") is { Length: > 0 } connection ? connection
        : configuration["Redis:Configuration"] is { Length: > 0 } configured ? configured
        : null;
}
