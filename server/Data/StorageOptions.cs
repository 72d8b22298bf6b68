using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace ChatApp.Server.Data;

public enum StorageProvider
{
    /// <summary>One file, one server process: the embedded default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (<c>ConnectionStrings:Postgres</c>), which several nodes can share.</summary>
    Postgres,
}

public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>The SQLite file; relative paths are under the content root.</summary>
    [Required]
    public string DatabasePath { get; set; } = "data/chatapp.db";

    /// <summary>Where the data-protection keys that sign bearer tokens are kept, so tokens survive a restart.</summary>
    [Required]
    public string KeysPath { get; set; } = "data/keys";

    /// <summary>How long a connection waits for SQLite's write lock before failing.</summary>
    [Range(0, 600)]
    public int BusyTimeoutSeconds { get; set; } = 30;

    /// <summary>From <c>ConnectionStrings:Postgres</c> (not this section), where connection strings conventionally live.</summary>
    public string? PostgresConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider != StorageProvider.Postgres)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(PostgresConnectionString))
        {
            yield return new ValidationResult(
                "Storage:Provider is Postgres, but ConnectionStrings:Postgres is empty: set it, e.g. \"Host=127.0.0.1;Port=5432;Username=chatapp;Database=chatapp\".",
                [nameof(PostgresConnectionString)]);
            yield break;
        }

        string? problem;
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
            problem = string.IsNullOrWhiteSpace(parsed.Host) ? "it names no Host" : null;
        }
        catch (ArgumentException ex)
        {
            problem = ex.Message;
        }

        if (problem is not null)
        {
            // Not the string itself: it may hold a password.
            yield return new ValidationResult($"ConnectionStrings:Postgres is not a usable PostgreSQL connection string: {problem}.", [nameof(PostgresConnectionString)]);
        }
    }
}
