using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Presence;

/// <summary>The typing throttle, bound from the "Chat" section (the keys predate this class) and validated at start-up.</summary>
public sealed class TypingOptions
{
    public const string Section = "Chat";

    /// <summary>A user's typing signal in one room goes out at most this often.</summary>
    [Range(100, 60_000)]
    public int TypingThrottleMilliseconds { get; set; } = 2_000;

    /// <summary>The most (user, room) typing timestamps kept; past it expired ones go, then the oldest.</summary>
    [Range(100, 10_000_000)]
    public int TypingThrottleEntries { get; set; } = 10_000;
}
