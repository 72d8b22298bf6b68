using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ChatApp.Server.Data;

/// <summary>
/// synchronous=FULL is per connection, not per file: every connection that may commit must set it,
/// or an acknowledged message could be lost on power failure.
/// </summary>
/// <remarks>
/// temp_store=MEMORY keeps the sub-journal of a savepoint (the writer runs every batch in savepoints) in memory. By
/// default SQLite spills it to a temporary file once it passes 64 KiB, so every batch of a busy writer created, wrote,
/// closed and deleted a file in /var/tmp (seen with strace: one per commit). The sub-journal only undoes a savepoint
/// within its transaction; what a crash needs is the WAL, which this does not touch.
/// </remarks>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";

    // The SQLite connections these pragmas were set on. Microsoft.Data.Sqlite pools them: "opening" a pooled one hands back
    // the same sqlite3 handle, whose settings last as long as it does, so they are set once per handle rather than on
    // every open (every writer batch and every read opens one: three statements compiled and run each time before).
    private static readonly ConditionalWeakTable<object, object> Set = [];

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (IsSet(connection))
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        MarkSet(connection);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (IsSet(connection))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        MarkSet(connection);
    }

    private static bool IsSet(DbConnection connection) => connection is SqliteConnection { Handle: { } handle } && Set.TryGetValue(handle, out _);

    private static void MarkSet(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            Set.AddOrUpdate(handle, handle);
        }
    }
}
