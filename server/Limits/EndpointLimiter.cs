using System.Threading.RateLimiting;
using ChatApp.Contracts;

namespace ChatApp.Server.Limits;

/// <summary>The global limiter of the rate-limiting middleware: the endpoint's <see cref="LimitedBy"/> says which limit, the caller which key.</summary>
internal sealed class EndpointLimiter(ChatLimiters limiters) : PartitionedRateLimiter<HttpContext>
{
    public static LimitKind? KindOf(HttpContext http)
    {
        // Each hub connection (one long WebSocket request) holds a lease for as long as it is open; negotiate is a short request.
        if (http.Request.Path.StartsWithSegments(ChatPaths.Hub) && !http.Request.Path.Value!.EndsWith("/negotiate", StringComparison.Ordinal))
        {
            return LimitKind.Connections;
        }

        return http.GetEndpoint()?.Metadata.GetMetadata<LimitedBy>()?.Kind;
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        KindOf(resource) is { } kind ? limiters.Acquire(kind, LimitsExtensions.PartitionKey(resource)) : ChatLimiters.Unlimited;

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));
}
