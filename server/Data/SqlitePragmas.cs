using System.Data.Common;
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

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }
}
