using System.ComponentModel.DataAnnotations;

namespace ChatApp.FrontDoor;

/// <summary>The nodes behind the front door, bound from the "FrontDoor" section (or --FrontDoor:Nodes) and validated at start-up.</summary>
public sealed class FrontDoorOptions
{
    public const string Section = "FrontDoor";

    /// <summary>The ChatApp nodes' base addresses, comma-separated: http://127.0.0.1:5001,http://127.0.0.1:5002.</summary>
    [Required]
    public string Nodes { get; set; } = "";

    /// <summary>How often each node's readiness is probed; a node that fails it gets no new requests.</summary>
    [Range(1, 60)]
    public int HealthCheckSeconds { get; set; } = 2;

    public IReadOnlyList<Uri> NodeAddresses() =>
        [.. Nodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => new Uri(n))];
}
