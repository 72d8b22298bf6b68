using System.Threading.RateLimiting;

namespace ChatApp.Server.Limits;

/// <summary>
/// Where the limits are kept when several nodes must see the same ones (Redis, in cluster mode): a user's
/// calls on every node draw on one bucket, and their connections count against one quota. Absent on a single
/// node, which keeps its limiters in memory.
/// </summary>
public interface ISharedLimits
{
    /// <summary>
    /// A lease for one call by <paramref name="key"/> from the shared store, or null when the store cannot answer
    /// now; the node's own limiter then decides, so a store outage never lifts the limits altogether.
    /// </summary>
    ValueTask<RateLimitLease?> AcquireAsync(LimitKind kind, string key, CancellationToken cancellationToken);
}

/// <summary>A token bucket: <see cref="Burst"/> tokens, refilled at <see cref="Rate"/> per <see cref="Window"/>.</summary>
public sealed record BucketRule(int Burst, int Rate, TimeSpan Window)
{
    /// <summary>The bucket behind each rate limit, from the same options the node's own limiters use.</summary>
    public static BucketRule For(LimitKind kind, LimitsOptions o) => kind switch
    {
        LimitKind.Messages => new(o.MessagesBurst, o.MessagesPerMinute, TimeSpan.FromMinutes(1)),
        LimitKind.Calls => new(o.CallsBurst, o.CallsPerMinute, TimeSpan.FromMinutes(1)),
        LimitKind.Registrations => new(o.RegistrationsBurst, o.RegistrationsPerHour, TimeSpan.FromHours(1)),
        LimitKind.Logins => new(o.LoginsBurst, o.LoginsPerMinute, TimeSpan.FromMinutes(1)),
        LimitKind.Rooms => new(o.RoomsBurst, o.RoomsPerHour, TimeSpan.FromHours(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a token bucket."),
    };
}
