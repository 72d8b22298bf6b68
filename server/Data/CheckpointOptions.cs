using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Data;

/// <summary>How the SQLite WAL is copied back into the database file, bound from the "Checkpoint" section.</summary>
/// <remarks>
/// Left to itself SQLite checkpoints inside the COMMIT of whichever write pushes the WAL past 1,000 pages: on this server
/// that is the writer's, so every few hundred milliseconds at full speed one batch also copied up to 1,000 pages into
/// the database file and fsynced it before its senders got their acks. With <see cref="Background"/> a
/// <see cref="WalCheckpointer"/> copies the WAL every <see cref="IntervalMilliseconds"/> on its own connection instead
/// (PASSIVE: it never blocks the writer), and the writer's own checkpoint, at <see cref="WriterCheckpointPages"/>, finds
/// only what was written since and restarts the WAL (what keeps it bounded while writes never pause).
/// </remarks>
public sealed class CheckpointOptions : IValidatableObject
{
    public const string Section = "Checkpoint";

    /// <summary>
    /// Checkpoint on a background connection; false (the default) leaves SQLite's: 1,000 pages, in the writer's commit.
    /// Off by default because, measured under load (bench/README.md, "What makes a saturation step unclean"), it did not
    /// shorten the writer's batches: its own fsyncs (two per checkpoint, ten checkpoints a second) queued beside the
    /// commits' on the same disk, and the checkpoints in the writer's commit were not what lined up with the spikes.
    /// </summary>
    public bool Background { get; set; }

    /// <summary>How often the background checkpoint copies what the WAL holds.</summary>
    [Range(10, 60_000)]
    public int IntervalMilliseconds { get; set; } = 100;

    /// <summary>
    /// The writer connection's wal_autocheckpoint with <see cref="Background"/>: the WAL's bound, in pages (4 KiB each).
    /// Its checkpoint copies only the frames the background one has not, then the next write starts the WAL over.
    /// </summary>
    [Range(100, 1_000_000)]
    public int WriterCheckpointPages { get; set; } = 4_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A tick longer than it takes the writer to fill the bound would leave the writer's checkpoint all the work again;
        // at 4 KiB a page and tens of MB/s of WAL at full speed, a second is the longest that makes sense.
        if (Background && IntervalMilliseconds > 1_000)
        {
            yield return new ValidationResult(
                $"Checkpoint:IntervalMilliseconds is {IntervalMilliseconds}: with Checkpoint:Background the WAL must be copied at least once a second, or the writer's own checkpoint does the copying again.",
                [nameof(IntervalMilliseconds)]);
        }
    }
}
