namespace ChatApp.Tests;

/// <summary>
/// Sends stored as a set on PostgreSQL: the same statements (multi-row inserts with ON CONFLICT, savepoints, the
/// membership pairs) run there, so every guarantee WriterBatchTests checks on SQLite is checked here too.
/// </summary>
public sealed class PostgresWriterBatchTests(PostgresServer postgres) : WriterBatchTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}
