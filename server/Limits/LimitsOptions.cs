using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Limits;

/// <summary>
/// Rate limits and quotas, bound from the "Limits" section and validated at start-up. The defaults suit a
/// public community server: no person typing meets them, a script flooding does at once.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>False turns every rate limit and quota off (benchmarks, load simulation); structural bounds stay.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Messages, edits, deletes and reactions a user may make at once, before the sustained rate applies.</summary>
    [Range(1, 100_000)]
    public int MessagesBurst { get; set; } = 30;

    [Range(1, 1_000_000)]
    public int MessagesPerMinute { get; set; } = 120;

    /// <summary>Every other hub call and authenticated REST request (reads, typing, read markers), per user.</summary>
    [Range(1, 100_000)]
    public int CallsBurst { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int CallsPerMinute { get; set; } = 1_200;

    /// <summary>Accounts created from one address: at once, and per hour after that.</summary>
    [Range(1, 100_000)]
    public int RegistrationsBurst { get; set; } = 10;

    [Range(1, 1_000_000)]
    public int RegistrationsPerHour { get; set; } = 10;

    /// <summary>Login attempts from one address, whatever the names (password spraying); the per-name lock is in Auth.</summary>
    [Range(1, 100_000)]
    public int LoginsBurst { get; set; } = 30;

    [Range(1, 1_000_000)]
    public int LoginsPerMinute { get; set; } = 10;

    /// <summary>Rooms a user may create: at once, and per hour after that.</summary>
    [Range(1, 100_000)]
    public int RoomsBurst { get; set; } = 10;

    [Range(1, 1_000_000)]
    public int RoomsPerHour { get; set; } = 10;

    /// <summary>Hub connections one user may have open at the same time (tabs, devices).</summary>
    [Range(1, 10_000)]
    public int ConnectionsPerUser { get; set; } = 10;

    /// <summary>
    /// Different reactions one message may carry. This one stays when <see cref="Enabled"/> is false: it is what
    /// keeps a reaction event's size bounded.
    /// </summary>
    [Range(1, 1_000)]
    public int MaxDistinctReactionsPerMessage { get; set; } = 20;

    /// <summary>
    /// Bytes a REST request body may have (Kestrel alone would read 30,000,000 of any); uploads raise their own cap to
    /// Attachments:MaxBytes. Like the reactions bound, it stays when <see cref="Enabled"/> is false.
    /// </summary>
    [Range(1_024, 64 * 1_024 * 1_024)]
    public int MaxRequestBodyBytes { get; set; } = 1_024 * 1_024;

    /// <summary>
    /// Users or addresses tracked per limit. Past it, full (idle) buckets are dropped; if all are busy, newcomers
    /// share one overflow bucket, so no sequence of requests grows the server's memory without bound.
    /// </summary>
    [Range(10, 10_000_000)]
    public int MaxTrackedKeys { get; set; } = 100_000;
}
