using System.Threading.RateLimiting;
using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Limits;

/// <summary>
/// Rate limits on hub calls, per user: writes (send, edit, delete, react) on one bucket, room creation on
/// another, everything else on a general one. Checked before the call does any work; a refusal is a
/// <see cref="ChatException"/> with a retry hint, which ChatHubFilter sends as <c>[rate_limited retry_after=N]</c>.
/// </summary>
internal sealed class HubLimitFilter(ChatLimiters limiters, ChatMetrics metrics, IOptions<LimitsOptions> options) : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (!limiters.Enabled)
        {
            return next(invocationContext);
        }

        var kind = invocationContext.HubMethodName switch
        {
            "SendMessage" or "EditMessage" or "DeleteMessage" or "React" => LimitKind.Messages,
            "CreateRoom" => LimitKind.Rooms,
            _ => LimitKind.Calls,
        };
        var userId = invocationContext.Context.UserIdentifier ?? invocationContext.Context.ConnectionId;
        if (limiters.Shared)
        {
            return SharedAsync(invocationContext, next, kind, "u:" + userId);
        }

        using var lease = limiters.Acquire(kind, "u:" + userId);
        Check(lease, kind);
        return next(invocationContext);
    }

    // Cluster mode: the bucket is in Redis, one round trip before the call; a single node stays synchronous above.
    private async ValueTask<object?> SharedAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next, LimitKind kind, string key)
    {
        using (var lease = await limiters.AcquireSharedAsync(kind, key, invocationContext.Context.ConnectionAborted))
        {
            Check(lease, kind);
        }

        return await next(invocationContext);
    }

    private void Check(RateLimitLease lease, LimitKind kind)
    {
        if (!lease.IsAcquired)
        {
            metrics.RateLimited(kind.ToString());
            TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            throw ChatException.RateLimited(LimitsExtensions.SlowDown(kind, options.Value), retryAfter);
        }
    }
}
