using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Data;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The SQLite file; relative paths are under the content root.</summary>
    [Required]
    public string DatabasePath { get; set; } = "data/chatapp.db";

    /// <summary>Where the data-protection keys that sign bearer tokens are kept, so tokens survive a restart.</summary>
    [Required]
    public string KeysPath { get; set; } = "data/keys";

    /// <summary>How long a connection waits for SQLite's write lock before failing.</summary>
    [Range(0, 600)]
    public int BusyTimeoutSeconds { get; set; } = 30;
}
