using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ChatApp.Server.Data;

/// <summary>
/// Creates the PostgreSQL database if it is missing and applies this provider's migrations before the server
/// takes requests, as <see cref="DatabaseInitializer"/> does on SQLite; there is no file lock, legacy schema
/// or WAL pragma here. Several nodes may start at once: each holds one PostgreSQL advisory lock from its check of
/// the applied migrations to the end of its migrations, so they take turns and the later ones find nothing to do.
/// EF Core's own migration lock is not enough for that: it is taken per migration transaction, and a node that waited
/// for it applies the migration list it read before waiting, again (seen here as "column already exists").
/// </summary>
internal sealed partial class PostgresDatabaseInitializer(
    IDbContextFactory<PostgresChatDbContext> contexts,
    DatabaseFile file,
    ILogger<PostgresDatabaseInitializer> logger) : IHostedService
{
    private const string DuplicateDatabase = "42P04";

    /// <summary>The advisory lock's key (any constant: what matters is that every node of this application uses the same one).</summary>
    private const long MigrationLock = 0x43686174417070; // "ChatApp"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var database = db.Database.GetDbConnection().Database;
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
        {
            try
            {
                await creator.CreateAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == DuplicateDatabase)
            {
                // Another node created it between our check and our CREATE DATABASE.
            }
        }

        // The lock belongs to a transaction on a connection of its own: it ends with that transaction, whether this
        // method commits it, throws (rollback on dispose) or the process dies; a session lock would outlive a pooled connection.
        await using var turn = new NpgsqlConnection(db.Database.GetConnectionString());
        await turn.OpenAsync(cancellationToken);
        await using var holding = await turn.BeginTransactionAsync(cancellationToken);
        await using (var wait = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({MigrationLock})", turn, holding) { CommandTimeout = 0 })
        {
            await wait.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var unknown = applied.Except(db.Database.GetMigrations()).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL database {database} is newer than this server (unknown migrations {string.Join(", ", unknown)}). " +
                "Upgrade the server; the database was left untouched.");
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        await holding.CommitAsync(cancellationToken); // the next node's turn

        if (await db.Database.SqlQueryRaw<string>("SELECT setting AS \"Value\" FROM pg_settings WHERE name = 'fsync'").SingleAsync(cancellationToken) != "on")
        {
            LogNoFsync(logger, database);
        }

        file.UseDatabaseServer();
        LogMigrated(logger, database, pending.Count, db.Database.GetMigrations().LastOrDefault());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL database {Database} applied {Pending} migrations; now at {Latest}")]
    private static partial void LogMigrated(ILogger logger, string database, int pending, string? latest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL runs with fsync off under database {Database}: acknowledged messages can be lost in a crash (fine for tests, never for production)")]
    private static partial void LogNoFsync(ILogger logger, string database);
}
