using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatApp.Server.Cluster;

/// <summary>
/// This node's connection to Redis for the cluster's own traffic (committed batches, presence), separate from
/// the SignalR backplane's. Opened once, asynchronously, and kept: StackExchange.Redis reconnects by itself,
/// so a Redis restart is a pause, not a failure (AbortOnConnectFail off, also at start-up).
/// </summary>
public sealed class RedisConnection(IOptions<ClusterOptions> options) : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(() => ConnectAsync(options.Value));

    public Task<IConnectionMultiplexer> GetAsync(CancellationToken cancellationToken) => _connection.Value.WaitAsync(cancellationToken);

    /// <summary>The same settings for this connection, the backplane's and the Data Protection key ring's.</summary>
    public static ConfigurationOptions Settings(ClusterOptions cluster)
    {
        var settings = ConfigurationOptions.Parse(cluster.Redis ?? throw new InvalidOperationException("Cluster mode needs Redis."));
        settings.AbortOnConnectFail = false;
        settings.ClientName = "chatapp-" + cluster.NodeName;
        return settings;
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ClusterOptions cluster) =>
        await ConnectionMultiplexer.ConnectAsync(Settings(cluster));

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await (await _connection.Value).DisposeAsync();
        }
    }
}
