using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Auth;

/// <summary>
/// Password hashing (deliberately slow CPU work: tens of milliseconds of PBKDF2 each) behind a small gate,
/// so that a storm of logins or registrations holds at most a few thread-pool threads at once and never
/// starves the rest of the server (hub calls, the writer's callers, the fan-out) of threads. Callers over
/// the gate wait without holding a thread; one that waits too long is refused as <c>unavailable</c> (503
/// with Retry-After) instead of piling up behind the others.
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    private readonly IPasswordHasher<User> _hasher;
    private readonly ChatMetrics _metrics;
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _wait;

    /// <summary>
    /// A user no one can log in as, whose hash an unknown name is checked against. Made with the configured count
    /// (not Identity's default), so an unknown name costs what a known one does and timing does not tell them apart.
    /// </summary>
    private readonly Lazy<User> _unknownUser;

    public PasswordHashing(IPasswordHasher<User> hasher, ChatMetrics metrics, IOptions<AuthOptions> options)
    {
        _hasher = hasher;
        _metrics = metrics;
        Concurrency = options.Value.EffectivePasswordHashConcurrency(Environment.ProcessorCount);
        _slots = new SemaphoreSlim(Concurrency, Concurrency);
        _wait = TimeSpan.FromSeconds(options.Value.PasswordHashWaitSeconds);
        _unknownUser = new(() => new User
        {
            UserName = "",
            PasswordHash = hasher.HashPassword(null!, Guid.NewGuid().ToString()), // PasswordHasher ignores the user argument
            CreatedAt = DateTimeOffset.UnixEpoch,
        });
    }

    /// <summary>How many hashes may run at once.</summary>
    public int Concurrency { get; }

    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        RunAsync(() => _hasher.HashPassword(null!, password), cancellationToken); // PasswordHasher ignores the user argument

    /// <summary>Checks <paramref name="password"/> against <paramref name="user"/>'s hash, or, for no user, against a decoy (always failed).</summary>
    public async Task<PasswordVerificationResult> VerifyAsync(User? user, string password, CancellationToken cancellationToken)
    {
        var result = await RunAsync(
            () =>
            {
                var checkedAgainst = user ?? _unknownUser.Value; // the decoy's own hash, once, inside the gate too
                return _hasher.VerifyHashedPassword(checkedAgainst, checkedAgainst.PasswordHash, password);
            },
            cancellationToken);
        return user is null ? PasswordVerificationResult.Failed : result;
    }

    private async Task<T> RunAsync<T>(Func<T> hash, CancellationToken cancellationToken)
    {
        _metrics.PasswordHashWaiting(1);
        bool entered;
        try
        {
            entered = await _slots.WaitAsync(_wait, cancellationToken);
        }
        finally
        {
            _metrics.PasswordHashWaiting(-1);
        }

        if (!entered)
        {
            // Nothing was checked or stored: the same request may simply be sent again.
            throw new ChatException(ChatError.Unavailable, "The server is busy checking passwords; try again in a few seconds.", _wait);
        }

        try
        {
            return hash();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
