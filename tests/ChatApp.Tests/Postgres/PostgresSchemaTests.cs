using ChatApp.Server.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace ChatApp.Tests;

/// <summary>
/// PostgreSQL's own migration set, as SchemaTests holds SQLite's: a database left at the first migration upgrades
/// in place with nothing lost, and one from a newer server is refused and left as it was.
/// </summary>
public sealed class PostgresSchemaTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PostgresChatDbContext Open(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgresChatDbContext>().UseNpgsql(connectionString).Options);

    [Fact]
    public async Task ADatabaseAtTheFirstMigrationUpgradesInPlaceKeepingAccountsMessagesReactionsAndMentions()
    {
        var settings = await postgres.NewDatabaseAsync(Ct);
        var hash = new PasswordHasher<object>().HashPassword(new object(), ChatServer.Password);
        await using (var db = Open(settings["ConnectionStrings:Postgres"]))
        {
            // What a server of the first PostgreSQL release left behind: its schema (frozen in its migration) and its rows.
            var first = db.Database.GetMigrations().First();
            await db.GetService<IMigrator>().MigrateAsync(first, cancellationToken: Ct);
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync(Ct)); // there is something to upgrade
        }

        // The hash is base64 and a '$'-separated header: nothing in it needs quoting.
        await ExecuteAsync(settings["ConnectionStrings:Postgres"], $"""
            INSERT INTO "Users" ("UserName", "PasswordHash", "CreatedAt", "IsAdmin") VALUES
                ('old-timer', '{hash}', '2025-01-01 00:00:00+00', FALSE), ('friend', 'x', '2025-01-01 00:00:00+00', FALSE);
            INSERT INTO "RoomMembers" ("RoomId", "UserId", "JoinedAt", "LastReadSeq") VALUES
                (1, 1, '2025-01-01 00:00:00+00', 1), (1, 2, '2025-01-01 00:00:00+00', 0);
            INSERT INTO "LogEntries" ("RoomId", "Seq", "SenderId", "Kind", "Text", "ClientMessageId", "SentAt") VALUES
                (1, 1, 2, 'message', 'first words', 'legacy-1', '2025-01-01 00:00:00+00'),
                (1, 2, 2, 'message', 'hello @old-timer, welcome back', 'legacy-2', '2025-01-01 00:00:01+00');
            INSERT INTO "Mentions" ("UserId", "RoomId", "Seq") VALUES (1, 1, 2);
            INSERT INTO "Reactions" ("RoomId", "Seq", "UserId", "Emoji") VALUES (1, 1, 1, '👍');
            UPDATE "Rooms" SET "LastSeq" = 2 WHERE "Id" = 1;
            """);

        await using (var server = new ChatServer(settings))
        {
            await SchemaTests.AssertTheOldTimersDataIsKeptAsync(server);
        }

        await using var after = Open(settings["ConnectionStrings:Postgres"]);
        Assert.Empty(await after.Database.GetPendingMigrationsAsync(Ct));
    }

    [Fact]
    public async Task ADatabaseWithAMigrationThisServerDoesNotKnowIsRefusedAndLeftAsItWas()
    {
        var settings = await postgres.NewDatabaseAsync(Ct);
        var connectionString = settings["ConnectionStrings:Postgres"];
        await using (var server = new ChatServer(settings))
        {
            await server.TokenForAsync("someone");
        }

        // What a newer server would have left: a migration this one does not know, and a table of its own.
        await ExecuteAsync(connectionString, """
            CREATE TABLE "Future" ("X" integer);
            INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ('29991231000000_FromTheFuture', '99.0.0');
            """);
        var before = await DescribeAsync(connectionString);

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = new ChatServer(settings);
        });

        Assert.Contains("29991231000000_FromTheFuture", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await DescribeAsync(connectionString));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>The applied migrations, every column of every table, and the row counts of the tables a start-up could write to.</summary>
    private static async Task<string> DescribeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("""
            SELECT string_agg(line, E'\n' ORDER BY line) FROM (
                SELECT 'migration ' || "MigrationId" AS line FROM "__EFMigrationsHistory"
                UNION ALL SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
                    FROM information_schema.columns WHERE table_schema = 'public'
                UNION ALL SELECT 'users ' || count(*) FROM "Users"
                UNION ALL SELECT 'rooms ' || count(*) FROM "Rooms"
                UNION ALL SELECT 'sessions ' || count(*) FROM "Sessions"
            ) AS description
            """, connection);
        return (string)(await command.ExecuteScalarAsync(Ct))!; // string_agg over a non-empty union is never null
    }
}
