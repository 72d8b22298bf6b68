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
}
