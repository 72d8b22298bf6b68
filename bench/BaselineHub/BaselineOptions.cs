using System.ComponentModel.DataAnnotations;

namespace ChatApp.Bench.BaselineHub;

/// <summary>
/// Settings of the baseline (section <c>Baseline</c>). <see cref="Durable"/> off is the bare hub as it always was;
/// on, the durable bare hub: the least a durable chat must do per send, as the bound ChatApp is measured against.
/// </summary>
public sealed class BaselineOptions
{
    public const string Section = "Baseline";

    public bool Durable { get; set; }

    /// <summary>The SQLite file the durable hub creates (from ChatApp's migrations) or reuses; relative to the working directory.</summary>
    [Required]
    public string DatabasePath { get; set; } = "durable-baseline.db";

    /// <summary>Sends per transaction at most (one fsync each): ChatApp's Writer:MaxBatchSize default.</summary>
    [Range(1, 4096)]
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Sends queued for the writer at most; a full queue makes senders wait, as ChatApp's does.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// SignalR's MaximumParallelInvocationsPerClient for this hub, either mode; unset keeps SignalR's default (1).
    /// A measurement knob only: with more than one, a user's next send need not wait for the ack of the last.
    /// </summary>
    [Range(1, 1024)]
    public int? MaxParallelInvocations { get; set; }
}
