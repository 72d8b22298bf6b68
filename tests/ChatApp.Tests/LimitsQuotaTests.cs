using System.Threading.RateLimiting;
using ChatApp.Contracts;
using ChatApp.Server.Limits;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests;

/// <summary>LimitsTests, continued: the distinct-reactions cap and the bounded per-key state.</summary>
public sealed partial class LimitsTests
{
    [Fact]
    public async Task AMessageTakesOnlySoManyDifferentReactions()
    {
        await using var server = Server(("MaxDistinctReactionsPerMessage", "3"));
        await using var alice = await server.UserAsync("alice", "general");
        await using var bob = await server.UserAsync("bob", "general");
        var message = await alice.Connection.SendMessageAsync("general", "react to me", NewId(), Ct);
        foreach (var emoji in new[] { "👍", "❤️", "😂" })
        {
            await alice.Connection.ReactAsync("general", message.Seq, emoji, Ct);
        }

        var refused = await Assert.ThrowsAsync<HubException>(() => bob.Connection.ReactAsync("general", message.Seq, "🎉", Ct));
        Assert.Equal(ChatErrorCodes.Conflict, ChatErrors.Parse(refused.Message)?.Code);

        var joined = await bob.Connection.ReactAsync("general", message.Seq, "👍", Ct); // an existing one is fine
        Assert.Equal(new ReactionCount("👍", 2, Mine: true), joined.Reactions[0]);
        Assert.Equal(3, joined.Reactions.Count);
    }

    [Fact]
    public async Task ManyDistinctKeysStayUnderTheCapAndIdleOnesExpire()
    {
        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = 2,
            TokensPerPeriod = 2,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(10),
            AutoReplenishment = false,
            QueueLimit = 0,
        };
        var table = new LimiterTable(() => new TokenBucketRateLimiter(options), capacity: 100);

        for (var i = 0; i < 100; i++)
        {
            using var lease = table.Acquire($"key-{i}");
            Assert.True(lease.IsAcquired);
        }

        Assert.Equal(100, table.Count);
        using (var overflow = table.Acquire("one-more"))
        using (var another = table.Acquire("and-another"))
        using (var third = table.Acquire("and-a-third"))
        {
            Assert.False(third.IsAcquired); // the overflow bucket (2 tokens) is shared by every key that did not fit
        }

        // Sweeps refill the buckets as time passes; a full bucket is idle, so forgotten.
        var deadline = DateTime.UtcNow + ChatServer.Timeout;
        while (table.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
            table.Sweep();
        }

        Assert.Equal(0, table.Count);
        for (var i = 0; i < 10_000; i++)
        {
            table.Acquire($"again-{i}").Dispose();
            Assert.True(table.Count <= 100);
        }
    }

    [Fact]
    public void BoundedMapKeepsItsCapAndForgetsExpiredEntries()
    {
        var clock = new ManualClock();
        var map = new BoundedMap<string, int>(capacity: 100, lifetime: TimeSpan.FromMinutes(5), clock);

        for (var i = 0; i < 10_000; i++)
        {
            map.Set($"key-{i}", i);
            Assert.True(map.Count <= 100);
        }

        Assert.True(map.TryGet("key-9999", out var newest));
        Assert.Equal(9999, newest);
        Assert.False(map.TryGet("key-0", out _)); // the oldest made room

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(map.TryGet("key-9999", out _));
        map.Set("fresh", 1);
        map.Set("fresh-2", 2);
        Assert.True(map.Count <= 100);
        map.Update("fresh", () => 0, v => v + 1);
        Assert.True(map.TryGet("fresh", out var updated));
        Assert.Equal(2, updated);
    }
}
