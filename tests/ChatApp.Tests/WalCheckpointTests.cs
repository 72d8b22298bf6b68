using ChatApp.Contracts;
using ChatApp.Server.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>
/// Checkpoints moved off the writer's commit (<see cref="WalCheckpointer"/>): the WAL stays bounded, and nothing
/// acknowledged is lost across a checkpoint, a clean stop and a restart.
/// </summary>
public sealed class WalCheckpointTests
{
    private const int BoundPages = 100; // the smallest bound the options allow, so a short test passes it many times
    private const int PageSize = 4096, FrameHeader = 24, WalHeader = 32;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ChatServer Server() => new(new Dictionary<string, string>
    {
        ["Limits:Enabled"] = "false",
        ["Checkpoint:Background"] = "true",
        ["Checkpoint:IntervalMilliseconds"] = "20",
        ["Checkpoint:WriterCheckpointPages"] = BoundPages.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    // Words rather than one repeated letter, so the search index grows with every message as real text makes it grow.
    private static string TextOf(int n) => string.Join(' ', Enumerable.Range(0, 300).Select(i => $"w{n}x{i}"));

    [Fact]
    public async Task TheWalStaysWithinItsBoundWhileALongStreamOfWritesIsCheckpointedInTheBackground()
    {
        await using var server = Server();
        await using var alice = await server.UserAsync("alice", "general");
        var checkpointer = server.Services.GetRequiredService<WalCheckpointer>();
        var wal = server.DatabasePath + "-wal";

        // The writer's connection checkpoints only at the bound; below it, the background does.
        await using (var db = await server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync(Ct))
        {
            await db.Database.OpenConnectionAsync(Ct);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint;";
            Assert.Equal(BoundPages, Convert.ToInt64(await command.ExecuteScalarAsync(Ct)));
        }

        long largest = 0;
        var fileBefore = new FileInfo(server.DatabasePath).Length;
        for (var i = 0; i < 300; i++)
        {
            await alice.Connection.SendMessageAsync("general", TextOf(i), $"bound-{i}", Ct);
            largest = Math.Max(largest, new FileInfo(wal).Length);
        }

        var grown = (new FileInfo(server.DatabasePath).Length - fileBefore) / PageSize;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"largest WAL {largest / 1024} KiB; the database file grew by {grown} pages; the background copied {checkpointer.PagesCopied} pages");
        Assert.True(checkpointer.PagesCopied > 0, "no background checkpoint copied anything");
        // Far more went through the WAL into the file than the bound holds...
        Assert.True(grown > 5 * BoundPages, $"the database file grew by only {grown} pages");
        // ...yet the WAL never grew far past the bound: the writer's checkpoint restarts it once the background has copied
        // what it holds (one that meets the other is skipped until the next commit, so allow a few batches past it).
        Assert.True(largest <= WalHeader + (4L * BoundPages * (PageSize + FrameHeader)), $"the WAL reached {largest / 1024} KiB");
    }

    [Fact]
    public async Task EveryAcknowledgedMessageSurvivesBackgroundCheckpointsACleanStopAndARestart()
    {
        await using var server = Server();
        var acked = new List<ChatMessage>();
        string token;
        await using (var alice = await server.UserAsync("alice", "general"))
        {
            token = alice.Token;
            for (var i = 0; i < 150; i++)
            {
                acked.Add(await alice.Connection.SendMessageAsync("general", TextOf(i), $"kept-{i}", Ct));
            }
        }

        var checkpointer = server.Services.GetRequiredService<WalCheckpointer>();
        Assert.True(checkpointer.PagesCopied > 0, "no background checkpoint copied anything");

        await server.StopAsync();

        // A clean stop checkpoints the whole WAL away after the writer's last commit: the file alone holds every message.
        var wal = new FileInfo(server.DatabasePath + "-wal");
        Assert.True(!wal.Exists || wal.Length == 0, $"the WAL still holds {wal.Length} bytes after a clean stop");
        await using (var file = new SqliteConnection($"Data Source={server.DatabasePath};Mode=ReadOnly;Pooling=False"))
        {
            await file.OpenAsync(Ct);
            await using var count = file.CreateCommand();
            count.CommandText = "SELECT count(*) FROM LogEntries WHERE ClientMessageId LIKE 'kept-%';";
            Assert.Equal(acked.Count, Convert.ToInt32(await count.ExecuteScalarAsync(Ct)));
        }

        await server.RestartAsync();
        await using var again = await server.ConnectAsync(token);
        var stored = await again.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal(acked.Select(m => (m.Seq, m.Text, m.ClientMessageId)), stored.Select(m => (m.Seq, m.Text, m.ClientMessageId)));
    }

    [Theory]
    [InlineData("Checkpoint:IntervalMilliseconds", "5000", "at least once a second")]
    [InlineData("Checkpoint:WriterCheckpointPages", "10", "WriterCheckpointPages")]
    public async Task CheckpointSettingsThatCannotWorkStopTheServerAtStartUpNamingTheSetting(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = new ChatServer(new Dictionary<string, string> { ["Checkpoint:Background"] = "true", [key] = value });
        });
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }
}
