using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatApp.Server.Data;

/// <summary>
/// Creates the PostgreSQL database if it is missing and applies this provider's migrations before the server
/// takes requests, as <see cref="DatabaseInitializer"/> does on SQLite; there is no file lock, legacy schema
/// or WAL pragma here. Several nodes may start at once: EF Core takes a lock on the migrations history, and a
/// node that loses the race to create the database retries once it exists.
/// </summary>
internal sealed partial class PostgresDatabaseInitializer(
    IDbContextFactory<PostgresChatDbContext> contexts,
    DatabaseFile file,
    ILogger<PostgresDatabaseInitializer> logger) : IHostedService
{
    private const string DuplicateDatabase = "42P04";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var database = db.Database.GetDbConnection().Database;

        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var unknown = applied.Except(db.Database.GetMigrations()).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL database {database} is newer than this server (unknown migrations {string.Join(", ", unknown)}). " +
                "Upgrade the server; the database was left untouched.");
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        try
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == DuplicateDatabase)
        {
            // Another node created it between our check and our CREATE DATABASE; its schema lock orders the rest.
            await db.Database.MigrateAsync(cancellationToken);
        }

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
