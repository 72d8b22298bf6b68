using ChatApp.Tests.Fixtures;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;

namespace ChatApp.Tests;

/// <summary>The schema: new databases from migrations, old ones adopted in place, newer ones refused untouched.</summary>
public sealed class SchemaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static ChatServer ServerOn(string path) => new(new Dictionary<string, string> { ["Storage:DatabasePath"] = path });

    [Fact]
    public async Task AnUpgradeFromSchemaVersionOneKeepsStoredDataAndIndexesItForSearch()
    {
        var path = await LegacyDatabases.CreateAsync(1, """
            INSERT INTO Users (UserName, PasswordHash, CreatedAt) VALUES ('old-timer', 'x', '2025-01-01 00:00:00+00:00');
            INSERT INTO RoomMembers (RoomId, UserId, JoinedAt) VALUES (1, 1, '2025-01-01 00:00:00+00:00');
            INSERT INTO LogEntries (RoomId, Seq, SenderId, Kind, Text, ClientMessageId, SentAt)
            VALUES (1, 1, 1, 'message', 'written before the upgrade', 'legacy-1', '2025-01-01 00:00:00+00:00');
            UPDATE Rooms SET LastSeq = 1 WHERE Id = 1;
            """, Ct);

        await using var server = ServerOn(path);
        await using var reader = await server.UserAsync("reader", "general");
        var history = await reader.Connection.GetHistoryAsync("general", null, null, Ct);
        Assert.Equal(("old-timer", "written before the upgrade", 1L), (history.Messages.Single().Sender, history.Messages.Single().Text, history.Messages.Single().Seq));
        var found = await reader.Connection.SearchMessagesAsync("upgrade", null, null, null, Ct);
        Assert.Single(found.Results);
        var next = await reader.Connection.SendMessageAsync("general", "after the upgrade", NewId(), Ct);
        Assert.Equal(2, next.Seq);
    }

    [Fact]
    public async Task AnUpgradeFromSchemaVersionTwoKeepsAccountsMessagesReactionsMentionsAndReadMarkers()
    {
        var hash = new PasswordHasher<object>().HashPassword(new object(), ChatServer.Password);
        var path = await LegacyDatabases.CreateAsync(2, $"""
            INSERT INTO Users (UserName, PasswordHash, CreatedAt) VALUES ('old-timer', '{hash}', '2025-01-01 00:00:00+00:00');
            INSERT INTO Users (UserName, PasswordHash, CreatedAt) VALUES ('friend', 'x', '2025-01-01 00:00:00+00:00');
            INSERT INTO RoomMembers (RoomId, UserId, JoinedAt, LastReadSeq) VALUES (1, 1, '2025-01-01 00:00:00+00:00', 1);
            INSERT INTO RoomMembers (RoomId, UserId, JoinedAt) VALUES (1, 2, '2025-01-01 00:00:00+00:00');
            INSERT INTO LogEntries (RoomId, Seq, SenderId, Kind, Text, ClientMessageId, SentAt)
            VALUES (1, 1, 2, 'message', 'first words', 'legacy-1', '2025-01-01 00:00:00+00:00'),
                   (1, 2, 2, 'message', 'hello @old-timer, welcome back', 'legacy-2', '2025-01-01 00:00:01+00:00');
            INSERT INTO Mentions (UserId, RoomId, Seq) VALUES (1, 1, 2);
            INSERT INTO Reactions (RoomId, Seq, UserId, Emoji) VALUES (1, 1, 1, '👍');
            UPDATE Rooms SET LastSeq = 2 WHERE Id = 1;
            """, Ct);

        await using var server = ServerOn(path);
        await AssertTheOldTimersDataIsKeptAsync(server);
    }

    /// <summary>
    /// What the upgrade fixtures store (old-timer's account and read marker, friend's two messages, a reaction and a
    /// mention), read back through the hub: SQLite's version 2 here, PostgreSQL's first migration in PostgresSchemaTests.
    /// </summary>
    internal static async Task AssertTheOldTimersDataIsKeptAsync(ChatServer server)
    {
        // The stored password hash still logs the old account in: LoginOrRegister would fail on a taken name otherwise.
        await using var oldTimer = await server.UserAsync("old-timer");
        var general = Assert.Single(await oldTimer.Connection.ListRoomsAsync(Ct), r => r.Name == "general");
        Assert.Equal((2L, 1L, 1, 1), (general.LastSeq, general.LastReadSeq, general.Unread, general.Mentions));
        var history = await oldTimer.Connection.GetHistoryAsync("general", null, null, Ct);
        Assert.Equal(["first words", "hello @old-timer, welcome back"], history.Messages.Select(m => m.Text));
        Assert.Equal("👍", Assert.Single(history.Messages[0].Reactions).Emoji);
        Assert.Equal(["old-timer"], history.Messages[1].Mentions);
        Assert.Single((await oldTimer.Connection.SearchMessagesAsync("welcome", null, null, null, Ct)).Results);

        var retry = await oldTimer.Connection.SendMessageAsync("general", "a new one", NewId(), Ct);
        Assert.Equal(3, retry.Seq);
    }

    [Fact]
    public async Task AnAdoptedDatabaseHasTheSameTablesColumnsKeysAndIndexesAsANewOne()
    {
        var adopted = await LegacyDatabases.CreateAsync(1, "", Ct);
        await using (var server = ServerOn(adopted))
        {
            await server.TokenForAsync("someone");
        }

        await using var fresh = new ChatServer();
        await fresh.TokenForAsync("someone");
        Assert.Equal(await DescribeAsync(fresh.DatabasePath), await DescribeAsync(adopted));
    }

    [Fact]
    public async Task ADatabaseFromANewerHandWrittenSchemaIsLeftByteForByteUntouchedAndStartUpSaysWhy()
    {
        var path = await LegacyDatabases.CreateAsync(2, "CREATE TABLE Future (X INTEGER); PRAGMA user_version = 4;", Ct);
        var before = await File.ReadAllBytesAsync(path, Ct);

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = ServerOn(path);
        });

        Assert.Contains("newer than this server", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path, Ct));
    }

    [Fact]
    public async Task ADatabaseWithAMigrationThisServerDoesNotKnowIsLeftByteForByteUntouchedAndStartUpNamesIt()
    {
        var path = Path.Combine(Path.GetTempPath(), "chatapp-tests", NewId() + ".db");
        await using (var server = ServerOn(path))
        {
            await server.TokenForAsync("someone");
        }

        SqliteConnection.ClearAllPools(); // the stopped server's pooled connections, so the file is complete without its WAL
        // What a newer server would have left: a migration this one does not know.
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await LegacyDatabases.ExecuteAsync(connection, """
                PRAGMA journal_mode=DELETE;
                CREATE TABLE Future (X INTEGER);
                INSERT INTO __EFMigrationsHistory (MigrationId, ProductVersion) VALUES ('29991231000000_FromTheFuture', '99.0.0');
                """, Ct);
        }

        var before = await File.ReadAllBytesAsync(path, Ct);
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = ServerOn(path);
        });

        Assert.Contains("29991231000000_FromTheFuture", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path, Ct));
    }

    /// <summary>Every table's columns, foreign keys and indexes, as SQLite reports them, in a stable order.</summary>
    private static async Task<string> DescribeAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        var lines = new List<string>();
        foreach (var table in await ListAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'MessageSearch_%' ORDER BY name"))
        {
            lines.Add($"table {table}");
            lines.AddRange((await ListAsync(connection, $"SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || pk FROM pragma_table_info('{table}') ORDER BY name")).Select(c => "  column " + c));
            lines.AddRange((await ListAsync(connection, $"SELECT \"table\" || '.' || \"to\" || ' from ' || \"from\" || ' ' || on_delete FROM pragma_foreign_key_list('{table}') ORDER BY \"from\"")).Select(f => "  fk " + f));
            lines.AddRange((await ListAsync(connection, $"SELECT name || ' ' || \"unique\" FROM pragma_index_list('{table}') WHERE origin = 'c' ORDER BY name")).Select(i => "  index " + i));
        }

        lines.AddRange((await ListAsync(connection, "SELECT type || ' ' || name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")));
        return string.Join("\n", lines);
    }

    private static async Task<List<string>> ListAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
