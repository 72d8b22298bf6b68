using System.Collections.Frozen;
using System.Threading.RateLimiting;
using ChatApp.Contracts;
using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Limits;

/// <summary>
/// Rate limits on hub calls, per user: writes that others see (sends with or without extras, edits, deletes,
/// reactions, a room's topic, archiving and deleting a room) on one bucket, room creation on another, everything
/// else on a general one. Checked before the call does any work; a refusal is a <see cref="ChatException"/> with
/// a retry hint, which ChatHubFilter sends as <c>[rate_limited retry_after=N]</c>.
/// </summary>
internal sealed class HubLimitFilter(ChatLimiters limiters, ChatMetrics metrics, IOptions<LimitsOptions> options) : IHubFilter
{
    /// <summary>
    /// The bucket of every hub method, named one by one: a method added to <see cref="IChatHub"/> must be placed
    /// here on purpose (LimitsTests checks that none is missing), instead of falling silently into the general bucket.
    /// </summary>
    internal static readonly FrozenDictionary<string, LimitKind> Buckets = new Dictionary<string, LimitKind>
    {
        [nameof(IChatHub.SendMessage)] = LimitKind.Messages,
        [nameof(IChatHub.SendMessageWith)] = LimitKind.Messages,
        [nameof(IChatHub.EditMessage)] = LimitKind.Messages,
        [nameof(IChatHub.DeleteMessage)] = LimitKind.Messages,
        [nameof(IChatHub.React)] = LimitKind.Messages,
        // Each of these tells every member (a public room: every user) to refresh its room list.
        [nameof(IChatHub.SetRoomTopic)] = LimitKind.Messages,
        [nameof(IChatHub.ArchiveRoom)] = LimitKind.Messages,
        [nameof(IChatHub.DeleteRoom)] = LimitKind.Messages,
        [nameof(IChatHub.CreateRoom)] = LimitKind.Rooms,
        [nameof(IChatHub.JoinRoom)] = LimitKind.Calls,
        [nameof(IChatHub.LeaveRoom)] = LimitKind.Calls,
        [nameof(IChatHub.ListRooms)] = LimitKind.Calls,
        [nameof(IChatHub.InviteToRoom)] = LimitKind.Calls,
        [nameof(IChatHub.RemoveFromRoom)] = LimitKind.Calls,
        [nameof(IChatHub.OpenDirect)] = LimitKind.Calls,
        [nameof(IChatHub.GetRoomMembers)] = LimitKind.Calls,
        [nameof(IChatHub.MarkRead)] = LimitKind.Calls,
        [nameof(IChatHub.SetTyping)] = LimitKind.Calls,
        [nameof(IChatHub.GetHistory)] = LimitKind.Calls,
        [nameof(IChatHub.StreamMessagesSince)] = LimitKind.Calls,
        [nameof(IChatHub.SearchMessages)] = LimitKind.Calls,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (!limiters.Enabled)
        {
            return next(invocationContext);
        }

        var kind = Buckets.GetValueOrDefault(invocationContext.HubMethodName, LimitKind.Calls);
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
