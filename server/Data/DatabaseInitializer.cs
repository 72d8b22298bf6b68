using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Data;

/// <summary>Creates or upgrades the database before the server takes requests (hosted services start before Kestrel).</summary>
internal sealed partial class DatabaseInitializer(IDbContextFactory<ChatDbContext> contexts, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        var (from, to) = await SchemaMigrator.MigrateAsync(connection, cancellationToken);
        LogSchema(logger, connection.DataSource, from, to);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {DataSource} at schema version {To} (was {From})")]
    private static partial void LogSchema(ILogger logger, string dataSource, int from, int to);
}
