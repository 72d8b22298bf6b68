using System.Text.Json;
using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>Reaction events carry counts, not who reacted, so their traffic grows linearly with the reactions.</summary>
public sealed class ReactionSizeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static int Bytes(ChatMessage entry) => JsonSerializer.SerializeToUtf8Bytes(entry, Web).Length;

    [Fact]
    public async Task EveryReactionEventStaysUnderABoundSetByTheDistinctReactionsLimitHoweverManyReact()
    {
        const int distinct = 20;
        const int reactors = 8;
        // Rates off (every user reacts as fast as it can); the distinct-reactions cap is what bounds the size and it stays.
        await using var server = new ChatServer(new Dictionary<string, string>
        {
            ["Limits:Enabled"] = "false",
            ["Limits:MaxDistinctReactionsPerMessage"] = distinct.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await using var watcher = await server.UserAsync("watcher", "general");
        var users = await Task.WhenAll(Enumerable.Range(0, reactors).Select(i => server.UserAsync($"reactor{i}", "general")));
        var message = await users[0].Connection.SendMessageAsync("general", "react to me", Guid.NewGuid().ToString("N"), Ct);
        var emojis = Enumerable.Range(0, distinct).Select(i => $"e{i:00}").ToArray();

        foreach (var user in users)
        {
            foreach (var emoji in emojis)
            {
                await user.Connection.ReactAsync("general", message.Seq, emoji, Ct);
            }
        }

        const int total = distinct * reactors;
        await watcher.Events.WaitUntilAsync(e => e.Entries(nameof(EventRecorder.ReactionChanged)).Count == total, $"{total} reaction events");
        var live = watcher.Events.Entries(nameof(EventRecorder.ReactionChanged));
        var replay = await watcher.Connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);

        // One event: the entry itself plus at most `distinct` counts of ~50 bytes, whoever and however many reacted.
        var bound = 400 + (distinct * 60);
        Assert.All(live, e => Assert.InRange(Bytes(e), 1, bound));
        Assert.All(replay, e => Assert.InRange(Bytes(e), 1, bound));
        Assert.Equal(reactors, live[^1].Reactions.Single(r => r.Emoji == "e19").Count);
        Assert.Equal(distinct, live[^1].Reactions.Count);
        // Linear: the last reactor's events weigh what the second one's do (before, each carried every earlier user's name).
        var second = live.Skip(distinct).Take(distinct).Sum(Bytes);
        var last = live.TakeLast(distinct).Sum(Bytes);
        Assert.InRange(last, second * 0.9, second * 1.1);
        Assert.True(replay.Sum(Bytes) <= (total + 1) * bound, $"catch-up from 0 is {replay.Sum(Bytes)} bytes for {total} reactions");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{total} reactions: live events {live.Min(Bytes)}-{live.Max(Bytes)} bytes, {live.Sum(Bytes)} in all; catch-up from 0 {replay.Sum(Bytes)} bytes");

        foreach (var user in users)
        {
            await user.DisposeAsync();
        }
    }
}
