using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Messages;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>
/// Sends stored as a set: the writer runs consecutive sends of a batch together (one seq update per room, prepared
/// inserts), so these tests put chosen commands into one batch and check every guarantee a send had one at a time.
/// </summary>
public partial class WriterBatchTests : IAsyncLifetime
{
    private ChatServer _server = null!; // set by InitializeAsync, which xunit runs before each test

    /// <summary>Storage settings for the server: none is SQLite in a temp folder; PostgresWriterBatchTests runs these tests on PostgreSQL.</summary>
    protected virtual Task<Dictionary<string, string>> StorageAsync() => Task.FromResult(new Dictionary<string, string>());

    // Many concurrent sends from a few users: faster than the rate limits allow, so they are off here.
    public async ValueTask InitializeAsync() =>
        _server = new(new Dictionary<string, string>(await StorageAsync()) { ["Limits:Enabled"] = "false" });

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private DatabaseWriter Writer => _server.Services.GetRequiredService<DatabaseWriter>();

    [Fact]
    public async Task ConcurrentSendersIntoSeveralRoomsGetGapFreeSeqsAndEachAckMatchesItsStoredEntry()
    {
        string[] rooms = ["general", "second", "third"];
        var users = new List<ChatUserSession>();
        for (var i = 0; i < 5; i++)
        {
            users.Add(await _server.UserAsync($"sender{i}", rooms[0]));
        }

        foreach (var room in rooms.Skip(1))
        {
            await users[0].Connection.CreateRoomAsync(room, isPrivate: false, Ct);
            foreach (var user in users.Skip(1))
            {
                await user.Connection.JoinRoomAsync(room, Ct);
            }
        }

        // Every user sends into every room at once, so batches hold sends for several rooms from several senders.
        var sends = users.SelectMany(user => rooms.Select(room => SendManyAsync(user, room, 12))).ToList();
        var acks = (await Task.WhenAll(sends).WaitAsync(ChatServer.Timeout * 3, Ct)).SelectMany(a => a).ToList();

        foreach (var room in rooms)
        {
            var stored = await users[0].Connection.StreamMessagesSinceAsync(room, 0, Ct).ToListAsync(Ct);
            Assert.Equal(Enumerable.Range(1, users.Count * 12).Select(i => (long)i), stored.Select(m => m.Seq));
            var bySeq = stored.ToDictionary(m => m.Seq);
            foreach (var ack in acks.Where(a => a.Room == room))
            {
                var entry = bySeq[ack.Seq];
                Assert.Equal((ack.Id, ack.Sender, ack.Text, ack.ClientMessageId), (entry.Id, entry.Sender, entry.Text, entry.ClientMessageId));
            }
        }

        Assert.DoesNotContain("running them one at a time", await _server.ReadLogAsync(), StringComparison.Ordinal);
        foreach (var user in users)
        {
            await user.DisposeAsync();
        }
    }

    private static async Task<List<ChatMessage>> SendManyAsync(ChatUserSession user, string room, int count)
    {
        var acks = new List<ChatMessage>();
        for (var i = 0; i < count; i++)
        {
            acks.Add(await user.Connection.SendMessageAsync(room, $"{user.Name} in {room} #{i}", NewId(), Ct));
        }

        return acks;
    }

    [Fact]
    public async Task DuplicatesWithinOneBatchAndAcrossBatchesReturnTheOriginal()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        var sender = await UserAsync("alice");
        var now = DateTimeOffset.UtcNow;

        var (first, again, otherRoom) = await InOneBatchAsync(
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "once", "dup-1", now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "once, retried", "dup-1", now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(sender, "elsewhere", "once", "dup-1", now), Ct));
        var later = await Writer.SubmitAsync(new AppendMessage(sender, "general", "once, retried later", "dup-1", now), Ct);

        var original = (await first).Message;
        Assert.False((await first).Duplicate);
        Assert.True((await again).Duplicate);
        Assert.True(later.Duplicate);
        Assert.Equal((original.Id, original.Seq, "once"), ((await again).Message.Id, (await again).Message.Seq, (await again).Message.Text));
        Assert.Equal((original.Id, original.Seq, "once"), (later.Message.Id, later.Message.Seq, later.Message.Text));
        var conflict = await Assert.ThrowsAsync<ChatException>(() => otherRoom);
        Assert.Contains("another room", conflict.Message, StringComparison.Ordinal);

        var stored = await alice.Connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal([original.Seq], stored.Select(m => m.Seq));
        // Caught by the set itself, not by the unique index after a failed run and a retry one at a time.
        Assert.DoesNotContain("running them one at a time", await _server.ReadLogAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonMembersSendInTheMiddleOfABatchIsRefusedWhileTheOthersCommit()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var mallory = await _server.UserAsync("mallory");
        var (member, outsider) = (await UserAsync("alice"), await UserAsync("mallory"));
        var now = DateTimeOffset.UtcNow;

        var (before, refused, after) = await InOneBatchAsync(
            () => Writer.SubmitAsync(new AppendMessage(member, "general", "before", NewId(), now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(outsider, "general", "not a member", NewId(), now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(member, "general", "after", NewId(), now), Ct));

        Assert.Equal(1, (await before).Message.Seq);
        var refusal = await Assert.ThrowsAsync<ChatException>(() => refused);
        Assert.Contains("not a member", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await after).Message.Seq);
        var stored = await alice.Connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal(["before", "after"], stored.Select(m => m.Text));
    }

    [Fact]
    public async Task JoinThenSendAndLeaveThenSendKeepQueueOrderInsideOneBatch()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob");
        var (leaver, joiner) = (await UserAsync("alice"), await UserAsync("bob"));
        var now = DateTimeOffset.UtcNow;

        var (joined, sentAfterJoin, left, sentAfterLeave) = await InOneBatchAsync(
            () => Writer.SubmitAsync(new JoinRoom(joiner, "general", now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(joiner, "general", "just joined", NewId(), now), Ct),
            () => Writer.SubmitAsync(new LeaveRoom(leaver, "general"), Ct),
            () => Writer.SubmitAsync(new AppendMessage(leaver, "general", "just left", NewId(), now), Ct));

        await joined;
        Assert.Equal(1, (await sentAfterJoin).Message.Seq);
        await left;
        await Assert.ThrowsAsync<ChatException>(() => sentAfterLeave);
        var stored = await bob.Connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal(["just joined"], stored.Select(m => m.Text));
    }

    [Fact]
    public async Task MentionsAndSearchWorkOnMessagesStoredAsASet()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        await using var carol = await _server.UserAsync("carol");
        var sender = await UserAsync("alice");
        var now = DateTimeOffset.UtcNow;

        var (plain, mentioning, outsider) = await InOneBatchAsync(
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "a quokka without mentions", NewId(), now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "@Bob and @alice: the quokka again", NewId(), now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "@carol is not in this room", NewId(), now), Ct));

        Assert.Empty((await plain).Message.Mentions);
        Assert.Equal(["bob", "alice"], (await mentioning).Message.Mentions);
        Assert.Empty((await outsider).Message.Mentions); // carol is no member, so no mention of her is stored

        // Read back: the mentions were stored (history fills them in from the table), and search finds both new messages.
        var stored = await bob.Connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        var mentioned = (await mentioning).Message.Seq;
        Assert.Equal(["alice", "bob"], stored.Single(m => m.Seq == mentioned).Mentions.Order());
        var found = await bob.Connection.SearchMessagesAsync("quokka", "general", null, null, Ct);
        Assert.Equal([(await plain).Message.Id, (await mentioning).Message.Id], found.Results.Select(m => m.Id).Order());
    }

    private async Task<(Task<T1>, Task<T2>, Task<T3>)> InOneBatchAsync<T1, T2, T3>(Func<Task<T1>> a, Func<Task<T2>> b, Func<Task<T3>> c)
    {
        var tasks = await HeldAsync(() => [a(), b(), c()]);
        return ((Task<T1>)tasks[0], (Task<T2>)tasks[1], (Task<T3>)tasks[2]);
    }

    private async Task<(Task<T1>, Task<T2>, Task<T3>, Task<T4>)> InOneBatchAsync<T1, T2, T3, T4>(Func<Task<T1>> a, Func<Task<T2>> b, Func<Task<T3>> c, Func<Task<T4>> d)
    {
        var tasks = await HeldAsync(() => [a(), b(), c(), d()]);
        return ((Task<T1>)tasks[0], (Task<T2>)tasks[1], (Task<T3>)tasks[2], (Task<T4>)tasks[3]);
    }

    /// <summary>
    /// Puts the commands <paramref name="submit"/> queues into one batch: a first command holds the writer until
    /// they are all queued behind it, so the writer takes them together once it is let go. Waits until all completed.
    /// </summary>
    private async Task<Task[]> HeldAsync(Func<Task[]> submit)
    {
        var hold = new HoldWriter();
        var held = Writer.SubmitAsync(hold, Ct);
        await hold.Running.WaitAsync(ChatServer.Timeout, Ct);
        var tasks = submit();
        hold.Release(); // SubmitAsync queues before it returns while the queue has room: they are all queued now
        await held.WaitAsync(ChatServer.Timeout, Ct);
        try
        {
            await Task.WhenAll(tasks).WaitAsync(ChatServer.Timeout, Ct);
        }
        catch (ChatException)
        {
            // A refusal is what some tests expect; each test awaits its own task to see which.
        }

        return tasks;
    }

    private async Task<ChatUser> UserAsync(string name)
    {
        await using var db = await _server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync(Ct);
        var user = await db.Users.SingleAsync(u => u.UserName == name, Ct);
        return new ChatUser(user.Id, user.UserName);
    }

    /// <summary>A command that keeps the writer busy (inside its batch) until the test lets it go.</summary>
    private sealed class HoldWriter : WriteCommand<bool>
    {
        private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Running => _running.Task;

        public void Release() => _release.TrySetResult();

        protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
        {
            _running.TrySetResult();
            await _release.Task.WaitAsync(ChatServer.Timeout, cancellationToken);
            return true;
        }
    }
}
