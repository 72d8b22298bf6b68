using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Data;

/// <summary>The writer's queue and batch sizes, bound from the "Writer" section.</summary>
public sealed class WriterOptions
{
    public const string Section = "Writer";

    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// The writer thread's nice value on Linux (below 0: ahead of the server's other threads; it needs CAP_SYS_NICE,
    /// and without it the writer runs at normal priority and says so in the log). Any value below 0 means "above
    /// normal" on Windows. 0 leaves it alone.
    /// </summary>
    [Range(-20, 0)]
    public int ThreadNice { get; set; } = -5;
}
