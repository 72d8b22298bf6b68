using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    [Range(1, 60 * 24 * 30)]
    public int TokenLifetimeMinutes { get; set; } = 60 * 24;

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
}
