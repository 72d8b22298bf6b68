using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    [Range(1, 60 * 24 * 30)]
    public int TokenLifetimeMinutes { get; set; } = 60 * 24;

    [Range(8, 128)]
    public int MinPasswordLength { get; set; } = 8;

    /// <summary>Long enough for any passphrase, short enough that hashing it costs nothing unusual.</summary>
    [Range(8, 1024)]
    public int MaxPasswordLength { get; set; } = 128;
}
