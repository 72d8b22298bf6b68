using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    [Range(1, 60 * 24 * 30)]
    public int TokenLifetimeMinutes { get; set; } = 60 * 24;

    [Range(8, 128)]
    public int MinPasswordLength { get; set; } = 8;
}
