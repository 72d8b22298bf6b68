using System.Net.Http.Json;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>Reading the log back: history pages, their cap, catch-up after a disconnect, and a follower across a restart.</summary>
public class HistoryTests : IAsyncLifetime
{
    // Hundreds of messages from one user: faster than the rate limits allow, so they are off here.
    private ChatServer _server = null!; // set by InitializeAsync, which xunit runs before each test

    /// <summary>Storage settings for the server: none is SQLite in a temp folder; PostgresHistoryTests runs these tests on PostgreSQL.</summary>
    protected virtual Task<Dictionary<string, string>> StorageAsync() => Task.FromResult(new Dictionary<string, string>());

    public async ValueTask InitializeAsync() =>
        _server = new(new Dictionary<string, string>(await StorageAsync()) { ["Limits:Enabled"] = "false" });

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task HistoryPagesGoBackwardsAndEachPageIsAscending()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        for (var i = 1; i <= 25; i++)
        {
            await alice.Connection.SendMessageAsync("general", $"m{i}", NewId(), Ct);
        }

        var newest = await alice.Connection.GetHistoryAsync("general", null, 10, Ct);
        Assert.Equal(Enumerable.Range(16, 10).Select(i => (long)i), newest.Messages.Select(m => m.Seq));
        Assert.True(newest.HasMore);

        var older = await alice.Connection.GetHistoryAsync("general", newest.Messages[0].Seq, 10, Ct);
        Assert.Equal(Enumerable.Range(6, 10).Select(i => (long)i), older.Messages.Select(m => m.Seq));

        var oldest = await alice.Connection.GetHistoryAsync("general", older.Messages[0].Seq, 10, Ct);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), oldest.Messages.Select(m => m.Seq));
        Assert.False(oldest.HasMore);

        var capped = await alice.Connection.GetHistoryAsync("general", null, 100_000, Ct);
        Assert.Equal(25, capped.Messages.Count);
    }

    [Fact]
    public async Task HistoryLimitIsCappedByConfiguration()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        using var http = _server.CreateHttpClient(alice.Token);
        for (var i = 0; i < 205; i++)
        {
            using var posted = await http.PostAsJsonAsync("/api/rooms/general/messages", new PostMessageRequest($"m{i}", NewId()), Ct);
            posted.EnsureSuccessStatusCode();
        }

        var page = await http.GetFromJsonAsync<HistoryPage>("/api/rooms/general/messages?limit=1000", Ct);
        Assert.Equal(200, page!.Messages.Count);
        Assert.True(page.HasMore);
    }

    [Fact]
    public async Task CatchUpStreamReturnsExactlyWhatWasMissedAfterADisconnect()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var bob = await _server.UserAsync("bob", "general");
        await alice.Connection.SendMessageAsync("general", "before", NewId(), Ct);
        var seen = (await bob.Events.WaitForMessagesAsync(1, "general"))[^1].Seq;
        await bob.DisposeAsync();

        for (var i = 0; i < 7; i++)
        {
            await alice.Connection.SendMessageAsync("general", $"missed {i}", NewId(), Ct);
        }

        await using var back = await _server.ConnectAsync(bob.Token);
        var missed = await back.StreamMessagesSinceAsync("general", seen, Ct).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(2, 7).Select(i => (long)i), missed.Select(m => m.Seq));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"missed {i}"), missed.Select(m => m.Text));
    }

    [Fact]
    public async Task RoomFollowerDeliversEverythingOnceInOrderAcrossAServerRestart()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var bobToken = await _server.TokenForAsync("bob");
        // Retries over about 15 s, as the CLI tests allow: a restart of the test host alone took longer than the 3 s these
        // used to span on a loaded machine, and then bob gave up before the server was back.
        TimeSpan[] retries = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4)];
        await using var bob = await _server.ConnectAsync(bobToken, retries);
        await bob.JoinRoomAsync("general", Ct);
        var applied = new List<long>();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Hub.Reconnected += _ =>
        {
            reconnected.TrySetResult();
            return Task.CompletedTask;
        };
        await using var follower = new RoomFollower(bob, (entry, _) =>
        {
            lock (applied)
            {
                applied.Add(entry.Seq);
            }

            return Task.CompletedTask;
        });

        await alice.Connection.SendMessageAsync("general", "one", NewId(), Ct);
        await follower.FollowAsync("general", 0, Ct);

        await alice.DisposeAsync();
        await _server.RestartAsync();
        await using var alice2 = await _server.ConnectAsync(await _server.TokenForAsync("alice"));
        for (var i = 0; i < 5; i++)
        {
            await alice2.SendMessageAsync("general", $"while bob was away {i}", NewId(), Ct);
        }

        await reconnected.Task.WaitAsync(ChatServer.Timeout, Ct);
        await alice2.SendMessageAsync("general", "live again", NewId(), Ct);
        var deadline = DateTime.UtcNow + ChatServer.Timeout;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (applied.Count < 7 && DateTime.UtcNow < deadline)
        {
            await tick.WaitForNextTickAsync(Ct);
        }

        lock (applied)
        {
            Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), applied);
        }
    }
}
