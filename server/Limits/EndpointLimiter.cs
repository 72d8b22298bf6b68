using System.Threading.RateLimiting;
using ChatApp.Contracts;

namespace ChatApp.Server.Limits;

/// <summary>The global limiter of the rate-limiting middleware: the endpoint's <see cref="LimitedBy"/> says which limit, the caller which key.</summary>
internal sealed class EndpointLimiter(ChatLimiters limiters) : PartitionedRateLimiter<HttpContext>
{
    /// <summary>Neither acquired nor refused: the middleware asks <see cref="AcquireAsyncCore"/> next, which decides.</summary>
    private static readonly RateLimitLease AskAsync = new PendingLease();

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

    // In cluster mode the answer takes a round trip to Redis, which this synchronous first attempt must not wait for.
    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        KindOf(resource) is not { } kind ? ChatLimiters.Unlimited
        : limiters.Shared ? AskAsync
        : limiters.Acquire(kind, LimitsExtensions.PartitionKey(resource));

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        KindOf(resource) is { } kind && limiters.Shared
            ? limiters.AcquireSharedAsync(kind, LimitsExtensions.PartitionKey(resource), cancellationToken)
            : ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    private sealed class PendingLease : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
