using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Auth;

/// <summary>
/// Slows password guessing: after too many failed logins for one key (a user name from one address) within
/// a window, further attempts with that key are refused until the window has passed, without checking the password.
/// </summary>
public sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.OrdinalIgnoreCase);

    private TimeSpan Window => TimeSpan.FromSeconds(options.Value.FailedLoginWindowSeconds);

    /// <summary>How long the key stays locked, or null when a login may be tried.</summary>
    public TimeSpan? LockedFor(string key)
    {
        if (!_failures.TryGetValue(key, out var failures) || failures.Count < options.Value.MaxFailedLogins)
        {
            return null;
        }

        var left = failures.Since + Window - clock.GetUtcNow();
        return left > TimeSpan.Zero ? left : null;
    }

    public void Failed(string key)
    {
        var now = clock.GetUtcNow();
        _failures.AddOrUpdate(key, _ => new Failures(now, 1),
            (_, f) => now - f.Since > Window ? new Failures(now, 1) : f with { Count = f.Count + 1 });
        if (_failures.Count > options.Value.FailedLoginEntries)
        {
            foreach (var stale in _failures.Where(e => now - e.Value.Since > Window).Select(e => e.Key).ToList())
            {
                _failures.TryRemove(stale, out _);
            }
        }
    }

    public void Succeeded(string key) => _failures.TryRemove(key, out _);

    private sealed record Failures(DateTimeOffset Since, int Count);
}
