using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>
/// The writer keeps its compiled statements from batch to batch (on SQLite, with its connection). Whatever went wrong
/// in between (a run the database failed, a command that failed alone, a change of schema, a batch that failed as a
/// whole), the kept statements must go on storing the right rows with gap-free seqs.
/// </summary>
public partial class WriterBatchTests
{
    [Fact]
    public async Task KeptStatementsStoreCorrectlyAfterAFailedRunAFailedCommandAndAFailedBatch()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await alice.Connection.CreateRoomAsync("second", isPrivate: false, Ct);
        var sender = await UserAsync("alice");
        var now = DateTimeOffset.UtcNow;
        Func<Task<SendResult>> Send(string room, string text) => () => Writer.SubmitAsync(new AppendMessage(sender, room, text, NewId(), now), Ct);

        // Compiles every statement of a run into two rooms.
        var (one, oneInSecond, two) = await InOneBatchAsync(Send("general", "one"), Send("second", "one"), Send("general", "two"));
        Assert.Equal((1L, 1L, 2L), ((await one).Message.Seq, (await oneInSecond).Message.Seq, (await two).Message.Seq));

        // The database refuses one row: the run's insert fails half-way and the run is rolled back; its sends then run one
        // at a time, and only the refused one fails. The retry among them is found by its own insert, alone, which rolls back
        // to the writer's savepoint for that command and tries again. The trigger is also a change of schema under the kept statements.
        await RefuseTextAsync("boom");
        var original = (await one).Message;
        var (before, boom, retry, after) = await InOneBatchAsync(Send("general", "three"), Send("general", "boom"),
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "one, retried", original.ClientMessageId, now), Ct), Send("second", "two"));
        Assert.IsType<ChatException>(await Assert.ThrowsAnyAsync<Exception>(() => boom));
        Assert.Equal((3L, 2L), ((await before).Message.Seq, (await after).Message.Seq));
        Assert.True((await retry).Duplicate);
        Assert.Equal((original.Id, original.Seq, "one"), ((await retry).Message.Id, (await retry).Message.Seq, (await retry).Message.Text));

        // The same three-row statement that failed half-way, kept, stores a run correctly in the next batch.
        var (four, threeInSecond, five) = await InOneBatchAsync(Send("general", "four"), Send("second", "three"), Send("general", "five"));
        Assert.Equal((4L, 3L, 5L), ((await four).Message.Seq, (await threeInSecond).Message.Seq, (await five).Message.Seq));

        // A batch that fails as a whole fails every caller in it and stores nothing.
        var (lost, failure, lostToo) = await InOneBatchAsync(Send("general", "lost"), () => Writer.SubmitAsync(new FailBatch(), Ct), Send("second", "lost"));
        foreach (var task in new[] { lost, failure, (Task)lostToo })
        {
            Assert.Contains("nothing was saved", (await Assert.ThrowsAsync<ChatException>(() => task)).Message, StringComparison.Ordinal);
        }

        // And after all that, a run stores where it should: right after the last stored seq of each room.
        var (six, fourInSecond, seven) = await InOneBatchAsync(Send("general", "six"), Send("second", "four"), Send("general", "seven"));
        Assert.Equal((6L, 4L, 7L), ((await six).Message.Seq, (await fourInSecond).Message.Seq, (await seven).Message.Seq));
        Assert.Equal("seven", (await seven).Message.Text);
        foreach (var (room, texts) in new[] { ("general", new[] { "one", "two", "three", "four", "five", "six", "seven" }), ("second", ["one", "two", "three", "four"]) })
        {
            var log = (await alice.Connection.StreamMessagesSinceAsync(room, 0, Ct).ToListAsync(Ct)).Where(m => m.Kind == EntryKinds.Message).ToList();
            Assert.Equal(texts, log.Select(m => m.Text));
            Assert.Equal(Enumerable.Range(1, texts.Length).Select(i => (long)i), log.Select(m => m.Seq));
        }
    }

    [Fact]
    public async Task AnEntryStoredByARunHoldsWhatEfWouldHaveStoredToTheTickAndTheCharacter()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var sender = await UserAsync("alice");
        await using var db = await _server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync(Ct);
        // An offset (SQLite stores it; Npgsql takes only UTC), a fraction of a second (in whole microseconds: PostgreSQL keeps no
        // finer) and text beyond ASCII: on SQLite the run binds them below Microsoft.Data.Sqlite (SqliteKeptStatement), so
        // they must come out as its binding stores them.
        var sentAt = new DateTimeOffset(2026, 11, 23, 9, 1, 2, db.Database.IsSqlite() ? TimeSpan.FromHours(-3) : TimeSpan.Zero).AddTicks(1_234_560);
        const string text = "héllo ✓ 😀";
        var (result, other, third) = await InOneBatchAsync(
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", text, NewId(), sentAt), Ct),
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "next", NewId(), sentAt.AddDays(1)), Ct),
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "last", NewId(), sentAt.AddDays(2)), Ct));
        var stored = (await result).Message;
        Assert.Equal((text, 1L, 2L, 3L), (stored.Text, stored.Seq, (await other).Message.Seq, (await third).Message.Seq));

        var entry = await db.LogEntries.AsNoTracking().SingleAsync(e => e.Id == stored.Id, Ct);
        Assert.Equal((text, sentAt), (entry.Text, entry.SentAt));
        if (db.Database.IsSqlite())
        {
            Assert.Equal(sentAt.Offset, entry.SentAt.Offset); // PostgreSQL keeps the instant only
            // The very text Microsoft.Data.Sqlite writes for the same value, so SQL that compares or orders SentAt agrees too.
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT SentAt, @sentAt FROM {new StoreNames(db).Table<LogEntry>()} WHERE Id = @id";
            command.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("@sentAt", sentAt));
            command.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter("@id", stored.Id));
            await using var reader = await command.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            Assert.Equal(reader.GetString(1), reader.GetString(0));
        }
    }

    /// <summary>A trigger that makes the database itself refuse an entry with this text, on either provider.</summary>
    private async Task RefuseTextAsync(string text)
    {
        await using var db = await _server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync(Ct);
        var names = new StoreNames(db);
        var (entries, column) = (names.Table<LogEntry>(), names.Column<LogEntry>(nameof(LogEntry.Text)));
        // Built first: EF's analyzer rightly objects to interpolated text passed straight to ExecuteSqlRaw; these are the model's own names.
        var statements = db.Database.IsSqlite()
            ? [$"CREATE TRIGGER refuse_text BEFORE INSERT ON {entries} WHEN NEW.{column} = '{text}' BEGIN SELECT RAISE(ABORT, 'refused'); END"]
            : new[]
            {
                $"CREATE FUNCTION refuse_text() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.{column} = '{text}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$",
                $"CREATE TRIGGER refuse_text BEFORE INSERT ON {entries} FOR EACH ROW EXECUTE FUNCTION refuse_text()",
            };
        foreach (var statement in statements)
        {
            await db.Database.ExecuteSqlRawAsync(statement, Ct);
        }
    }

    /// <summary>A command that fails in a way the writer does not take for a refusal: the whole batch fails.</summary>
    private sealed class FailBatch : WriteCommand<bool>
    {
        protected override Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("This batch fails on purpose.");
    }
}
