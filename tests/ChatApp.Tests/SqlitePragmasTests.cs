using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>The per-connection settings every SQLite connection of the server opens with (they are not stored in the file).</summary>
public sealed class SqlitePragmasTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryConnectionCommitsWithAFullSyncChecksForeignKeysAndKeepsSavepointJournalsInMemory()
    {
        await using var server = new ChatServer();
        var contexts = server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>();
        // Two contexts at once, so the second cannot be the first's pooled connection: each one opened sets them itself.
        await using var first = await contexts.CreateDbContextAsync(Ct);
        await using var second = await contexts.CreateDbContextAsync(Ct);
        foreach (var db in new[] { first, second })
        {
            await db.Database.OpenConnectionAsync(Ct);
            // synchronous 2 = FULL (an ack survives power loss), temp_store 2 = MEMORY (a savepoint's sub-journal never
            // spills to a temporary file: one per busy batch before), foreign_keys 1 = on.
            Assert.Equal((2L, 2L, 1L), (await PragmaAsync(db, "synchronous"), await PragmaAsync(db, "temp_store"), await PragmaAsync(db, "foreign_keys")));
        }
    }

    private static async Task<long> PragmaAsync(ChatDbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct));
    }
}
