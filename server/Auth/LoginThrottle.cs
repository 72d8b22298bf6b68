using ChatApp.Server.Limits;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Auth;

/// <summary>
/// Slows password guessing: after too many failed logins for one key (a user name from one address) within
/// a window, further attempts with that key are refused until the window has passed, without checking the password.
/// What it remembers is bounded: keys expire with their window, and past <see cref="AuthOptions.FailedLoginEntries"/>
/// the oldest go (the per-address login rate limit keeps one address from filling it).
/// </summary>
public sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly BoundedMap<string, Failures> _failures = new(
        options.Value.FailedLoginEntries, TimeSpan.FromSeconds(options.Value.FailedLoginWindowSeconds), clock, StringComparer.OrdinalIgnoreCase);

    private TimeSpan Window => TimeSpan.FromSeconds(options.Value.FailedLoginWindowSeconds);

    /// <summary>How many keys are remembered now (for tests of the memory bound).</summary>
    public int Count => _failures.Count;

    /// <summary>How long the key stays locked, or null when a login may be tried.</summary>
    public TimeSpan? LockedFor(string key)
    {
        if (!_failures.TryGet(key, out var failures) || failures.Count < options.Value.MaxFailedLogins)
        {
            return null;
        }

        var left = failures.Since + Window - clock.GetUtcNow();
        return left > TimeSpan.Zero ? left : null;
    }

    public void Failed(string key)
    {
        var now = clock.GetUtcNow();
        _failures.Update(key, () => new Failures(now, 1),
            f => now - f.Since > Window ? new Failures(now, 1) : f with { Count = f.Count + 1 });
    }

    public void Succeeded(string key) => _failures.Remove(key);

    private sealed record Failures(DateTimeOffset Since, int Count);
}
