using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatApp.Server.Cluster;

/// <summary>A cluster node cut from Redis neither hears the others nor tells them: it is not ready for traffic.</summary>
public sealed class RedisHealth(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await redis.GetAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            if (!connection.IsConnected)
            {
                return HealthCheckResult.Unhealthy("Not connected to Redis.");
            }

            var latency = await connection.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy($"Redis answers in {latency.TotalMilliseconds:F1} ms.");
        }
        catch (Exception ex) when (ex is TimeoutException or StackExchange.Redis.RedisException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer.", ex);
        }
    }
}
