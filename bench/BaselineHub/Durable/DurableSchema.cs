using ChatApp.Server.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>
/// ChatApp's own schema, made by the server's own migrations (as bench/WriterBench's SQLite ceiling makes it): every
/// index a stored row updates (the unique (room, seq) and (sender, clientMessageId) ones among them), the foreign keys and
/// the FTS5 insert trigger that indexes a message for search. A stored row here costs what it costs ChatApp.
/// </summary>
public static class DurableSchema
{
    public static async Task CreateAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!); // a full path always has a directory
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        await using var db = new SqliteChatDbContext(new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite(connectionString).Options);
        // WAL is a property of the file: set once here, every later connection has it (as ChatApp's initializer does).
        await db.Database.OpenConnectionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await using var check = db.Database.GetDbConnection().CreateCommand();
        check.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'LogEntries_Search_Insert'";
        if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) != 1)
        {
            throw new InvalidOperationException($"{path}: the migrations made no search trigger; this is not ChatApp's schema.");
        }
    }
}
