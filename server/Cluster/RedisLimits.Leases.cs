using System.Threading.RateLimiting;

namespace ChatApp.Server.Cluster;

/// <summary>The leases <see cref="RedisLimits"/> hands out: a counted connection, which gives its place back once disposed, and fixed answers.</summary>
public sealed partial class RedisLimits
{
    private sealed class ConnectionLease(RedisLimits owner, string key) : RateLimitLease
    {
        private int _disposed;

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Close(key);
            }

            base.Dispose(disposing);
        }
    }

    private static class Leases
    {
        public static readonly RateLimitLease Granted = new Fixed(true, null);

        public static RateLimitLease Refused(TimeSpan? retryAfter) => new Fixed(false, retryAfter);

        private sealed class Fixed(bool acquired, TimeSpan? retryAfter) : RateLimitLease
        {
            public override bool IsAcquired => acquired;

            public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = retryAfter;
                return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
            }
        }
    }
}
