using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>How long an access token (a JWT) is good for; clients refresh before it runs out. Fractions allowed (tests).</summary>
    [Range(0.02, 24 * 60)]
    public double AccessTokenMinutes { get; set; } = 15;

    /// <summary>How long a session lasts without being used; every refresh extends it by this much.</summary>
    [Range(0.001, 365)]
    public double RefreshTokenDays { get; set; } = 30;

    /// <summary>
    /// The HMAC key that signs access tokens, base64 (at least 32 bytes). Give the same one to every server
    /// process that must accept the same tokens; empty means the key file at <see cref="SigningKeyPath"/>.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Where the signing key is kept when none is configured; created (owner-only) on first start.</summary>
    [Required]
    public string SigningKeyPath { get; set; } = "data/jwt-signing.key";

    /// <summary>
    /// For a moment after a rotation, a browser's other tab may send the cookie it read just before: it gets an access
    /// token (not a new refresh token) instead of ending the session as a reused token would.
    /// </summary>
    [Range(0, 60)]
    public int RefreshGraceSeconds { get; set; } = 10;

    /// <summary>How much an access token's expiry may be off between machines' clocks.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>How often open hub connections are checked against the database for sessions that ended.</summary>
    [Range(0.1, 600)]
    public double SessionCheckSeconds { get; set; } = 2;

    /// <summary>User names that are admins whatever the database says (the first admin comes from here).</summary>
    public string[] Admins { get; set; } = [];

    [Range(8, 128)]
    public int MinPasswordLength { get; set; } = 8;

    /// <summary>Failed logins for one user name within the window before that name is locked for the rest of it.</summary>
    [Range(1, 10_000)]
    public int MaxFailedLogins { get; set; } = 10;

    [Range(1, 86_400)]
    public int FailedLoginWindowSeconds { get; set; } = 300;

    /// <summary>The most (name, address) keys whose failures are remembered; past it expired ones go, then the oldest.</summary>
    [Range(100, 10_000_000)]
    public int FailedLoginEntries { get; set; } = 100_000;

    /// <summary>Long enough for any passphrase, short enough that hashing it costs nothing unusual.</summary>
    [Range(8, 1024)]
    public int MaxPasswordLength { get; set; } = 128;

    /// <summary>
    /// Password hashes (logins, registrations) that may run at once; 0 means one per core. Hashing is CPU work, so
    /// more at once only makes each slower, while every one holds a thread-pool thread (bench/login-storm.sh).
    /// </summary>
    [Range(0, 256)]
    public int PasswordHashConcurrency { get; set; }

    /// <summary>How long a login or registration may wait for a hashing slot before it is refused as unavailable (503).</summary>
    [Range(0.05, 300)]
    public double PasswordHashWaitSeconds { get; set; } = 30;

    /// <summary>
    /// PBKDF2 iterations of a new password hash (ASP.NET Core Identity's V3 format, HMAC-SHA512). Fewer make logins and
    /// registrations cheaper and a stolen database cheaper to guess through; the default is Identity's own. Stored hashes
    /// carry their count, so changing it never locks anyone out. The floor keeps a typo from making hashes nearly free.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int PasswordHashIterations { get; set; } = 100_000;

    public int EffectivePasswordHashConcurrency(int processors) => PasswordHashConcurrency > 0 ? PasswordHashConcurrency : processors;

    public bool IsConfiguredAdmin(string userName) => Admins.Contains(userName, StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when the configured key is absent or usable; otherwise what is wrong with it.</summary>
    public string? SigningKeyProblem()
    {
        if (string.IsNullOrEmpty(SigningKey))
        {
            return null;
        }

        var bytes = new byte[SigningKey.Length];
        return Convert.TryFromBase64String(SigningKey, bytes, out var length) && length >= 32
            ? null
            : "Auth:SigningKey must be base64 of at least 32 random bytes (e.g. `openssl rand -base64 48`).";
    }
}
