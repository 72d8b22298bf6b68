using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Data;

/// <summary>
/// Creates or upgrades the database with EF Core migrations before the server takes requests (hosted
/// services start before Kestrel). Databases from before migrations are adopted first (<see cref="LegacySchema"/>);
/// one from a newer server is refused before anything is written to it.
/// </summary>
internal sealed partial class DatabaseInitializer(
    IDbContextFactory<SqliteChatDbContext> contexts,
    DatabaseLock databaseLock,
    DatabaseFile file,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        // Before anything opens the file: a second process must not migrate it, or write to it, at all.
        await databaseLock.AcquireAsync(Path.GetFullPath(connection.DataSource), cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);

        // Only reads until the database is known to be one this server understands.
        var version = await LegacySchema.ReadVersionAsync(connection, cancellationToken);
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var unknown = applied.Except(db.Database.GetMigrations()).ToList();
        if (version > LegacySchema.Migrations || unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database {connection.DataSource} is newer than this server (schema version {version}" +
                (unknown.Count > 0 ? $", unknown migrations {string.Join(", ", unknown)}" : "") +
                "). Upgrade the server; the database was left untouched.");
        }

        // WAL lets readers run beside the one writer; it is a property of the file, so setting it once persists.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        if (applied.Count == 0 && version is > 0 and <= LegacySchema.LastVersion)
        {
            await LegacySchema.AdoptAsync(db, connection, version, cancellationToken);
            LogAdopted(logger, connection.DataSource, version);
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        await LegacySchema.StampAsync(connection, cancellationToken);
        file.Open(Path.GetFullPath(connection.DataSource));
        LogMigrated(logger, connection.DataSource, pending.Count, db.Database.GetMigrations().LastOrDefault());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {DataSource} adopted from hand-written schema version {Version}")]
    private static partial void LogAdopted(ILogger logger, string dataSource, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {DataSource} applied {Pending} migrations; now at {Latest}")]
    private static partial void LogMigrated(ILogger logger, string dataSource, int pending, string? latest);
}
