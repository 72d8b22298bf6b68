using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Tests.Cluster;

/// <summary>
/// Two nodes on one PostgreSQL and one Redis, as real processes, with clients on both: the promises of one
/// server (order, once, idempotency, private rooms, presence, catch-up, sessions) hold across nodes.
/// </summary>
public sealed class ClusterTests(PostgresServer postgres, SharedCluster shared) : IClassFixture<SharedCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private Task<ClusterNodes> ClusterAsync() => shared.GetAsync(postgres, Cancel);

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task MessagesSentOnEachNodeReachMembersOnEveryNodeInSeqOrderOnce()
    {
        var cluster = await ClusterAsync();
        var room = Unique("relay");
        await using var ann = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("ann"), Cancel);
        await using var bob = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("bob"), Cancel);
        await using var cat = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("cat"), Cancel);
        await using var dan = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("dan"), Cancel);
        await ann.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
        foreach (var member in new[] { bob, cat, dan })
        {
            await member.Connection.JoinRoomAsync(room, Cancel);
        }

        var load = new ClusterLoad();
        var sends = new[] { ann, bob, cat, dan }.Select(async sender =>
        {
            for (var i = 0; i < 15; i++)
            {
                Assert.True(await load.SendOneAsync(sender, room, i));
            }
        });
        await Task.WhenAll(sends).WaitAsync(Timeout, Cancel);

        Assert.Equal(Enumerable.Range(1, 60).Select(s => (long)s), load.AckedSeqs);
        foreach (var member in new[] { ann, bob, cat, dan })
        {
            await load.AssertReceivedAsync(member, room, Timeout);
        }
    }

    [Fact]
    public async Task ARemovedMemberOfAPrivateRoomGetsNothingSentAfterTheRemovalWhateverNodeTheyAreOn()
    {
        var cluster = await ClusterAsync();
        var room = Unique("secret");
        await using var owner = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("own"), Cancel);
        await using var bob = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("bob"), Cancel);
        await using var carol = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("car"), Cancel);
        await owner.Connection.CreateRoomAsync(room, isPrivate: true, Cancel);
        await owner.Connection.InviteToRoomAsync(room, bob.Name, Cancel);
        await owner.Connection.InviteToRoomAsync(room, carol.Name, Cancel);
        await owner.Connection.SendMessageAsync(room, "before", "m1", Cancel);
        await bob.Events.WaitForMessagesAsync(1, room);

        await owner.Connection.RemoveFromRoomAsync(room, bob.Name, Cancel);
        var after = await owner.Connection.SendMessageAsync(room, "after", "m2", Cancel);

        // Carol is on bob's node: once she has the entry, bob's node has handled it too.
        await carol.Events.WaitUntilAsync(r => r.Entries().Any(m => m.Seq == after.Seq), "carol to receive the entry after the removal", Timeout);
        await bob.Events.WaitForEventsAsync(nameof(EventRecorder.RoomLeft), 1);
        Assert.Equal([1L], bob.Seqs(room));
    }

    [Fact]
    public async Task WhileRedisHoldsUpARemovalAndAnInviteFromOneNodeAnEntrySentOnTheOtherReachesTheNewMemberAndNotTheRemovedOne()
    {
        var cluster = await ClusterAsync();
        var room = Unique("held");
        await using var owner = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("own"), Cancel);
        await using var bob = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("bob"), Cancel);
        await using var carol = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("car"), Cancel);
        await using var dan = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("dan"), Cancel);
        await owner.Connection.CreateRoomAsync(room, isPrivate: true, Cancel);
        await owner.Connection.InviteToRoomAsync(room, bob.Name, Cancel);
        await owner.Connection.InviteToRoomAsync(room, carol.Name, Cancel);
        var before = await carol.Connection.SendMessageAsync(room, "before", "held-1", Cancel);
        await bob.Events.WaitUntilAsync(r => r.Entries().Any(m => m.Seq == before.Seq), "bob to receive the entry before the removal", Timeout);

        // Redis takes no PUBLISH while paused for writes: node 2 hears nothing of node 1's removal and invite. Node 2's own
        // entry, committed after both, goes into node 2's ordered stream at once; it must wait for them, read from the database.
        await cluster.RedisCliAsync(Cancel, "CLIENT", "PAUSE", "60000", "WRITE");
        ChatMessage after;
        try
        {
            await owner.Connection.RemoveFromRoomAsync(room, bob.Name, Cancel);
            await owner.Connection.InviteToRoomAsync(room, dan.Name, Cancel);
            after = await carol.Connection.SendMessageAsync(room, "after", "held-2", Cancel);
            await carol.Events.WaitUntilAsync(r => r.Entries().Any(m => m.Seq == after.Seq), "carol to receive the entry after the changes", Timeout);
            await dan.Events.WaitUntilAsync(r => r.Entries().Any(m => m.Seq == after.Seq), "dan to receive it live, with Redis still paused", Timeout);
        }
        finally
        {
            await cluster.RedisCliAsync(CancellationToken.None, "CLIENT", "UNPAUSE");
        }

        await bob.Events.WaitForEventsAsync(nameof(EventRecorder.RoomLeft), 1);
        Assert.Equal([before.Seq], bob.Seqs(room));
        Assert.Equal([after.Seq], dan.Seqs(room));
    }

    [Fact]
    public async Task ARetryOnAnotherNodeReturnsTheOriginalMessageAndStoresNothingTwice()
    {
        var cluster = await ClusterAsync();
        var room = Unique("retry");
        var name = Unique("ann");
        await using var onA = await ClusterNodes.ConnectAsync(cluster.Node(0), name, Cancel);
        await using var onB = await ClusterNodes.ConnectAsync(cluster.Node(1), name, Cancel);
        await using var watcher = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("wat"), Cancel);
        await onA.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
        await watcher.Connection.JoinRoomAsync(room, Cancel);

        var original = await onA.Connection.SendMessageAsync(room, "once", "lost-ack-1", Cancel);
        var retried = await onB.Connection.SendMessageAsync(room, "once", "lost-ack-1", Cancel);
        var next = await onB.Connection.SendMessageAsync(room, "next", "lost-ack-2", Cancel);

        Assert.Equal((original.Id, original.Seq), (retried.Id, retried.Seq));
        Assert.Equal(original.Seq + 1, next.Seq);
        await watcher.Events.WaitUntilAsync(r => r.Entries().Any(m => m.Seq == next.Seq), "the next entry", Timeout);
        Assert.Equal([original.Seq, next.Seq], watcher.Seqs(room));
    }

    [Fact]
    public async Task AUserOnOneNodeIsOnlineForRoommatesOnAnotherUntilTheirLastConnectionAnywhereCloses()
    {
        var cluster = await ClusterAsync();
        var room = Unique("pres");
        await using var ann = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("ann"), Cancel);
        var bobName = Unique("bob");
        await using (var first = await ClusterNodes.ConnectAsync(cluster.Node(0), bobName, Cancel))
        {
            await ann.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
            await first.Connection.JoinRoomAsync(room, Cancel);
        }

        await ann.Events.WaitUntilAsync(r => r.LastPresenceOf(bobName) == nameof(EventRecorder.UserOffline), "bob's first connection to close", Timeout);
        var onB = await ClusterNodes.ConnectAsync(cluster.Node(1), bobName, Cancel);
        await ann.Events.WaitUntilAsync(r => r.LastPresenceOf(bobName) == nameof(EventRecorder.UserOnline), "bob online through node 2", Timeout);
        var members = await ann.Connection.GetRoomMembersAsync(room, Cancel);
        Assert.True(members.Single(m => m.UserName == bobName).Online);

        // A second connection on node 1 and the close of the one on node 2: still online, from node 1.
        await using var onA = await ClusterNodes.ConnectAsync(cluster.Node(0), bobName, Cancel);
        await onA.Connection.ListRoomsAsync(Cancel); // a call is answered only once the hub's connect work is done
        var marker = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("mrk"), Cancel);
        await marker.Connection.JoinRoomAsync(room, Cancel);
        await onB.DisposeAsync();
        await marker.DisposeAsync();

        // Node 2 announces in order: had it sent bob offline, that came before the marker's offline.
        await ann.Events.WaitUntilAsync(r => r.LastPresenceOf(marker.Name) == nameof(EventRecorder.UserOffline), "the marker to go offline", Timeout);
        Assert.Equal(nameof(EventRecorder.UserOnline), ann.Events.LastPresenceOf(bobName));
        members = await ann.Connection.GetRoomMembersAsync(room, Cancel);
        Assert.True(members.Single(m => m.UserName == bobName).Online);
    }

    [Fact]
    public async Task ATokenIssuedByOneNodeWorksOnAnotherAndLoggingOutOnOneEndsTheConnectionOnTheOther()
    {
        var cluster = await ClusterAsync();
        await using var onA = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("ann"), Cancel);
        await using var onB = await ClusterNodes.ConnectAsync(cluster.Node(1), onA.Name, onA.AccessToken, Cancel);
        Assert.NotEmpty(await onB.Connection.ListRoomsAsync(Cancel).WaitAsync(Timeout, Cancel) ?? []);

        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        onB.Connection.Hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        onB.Connection.Hub.Reconnecting += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        using var http = new HttpClient { BaseAddress = cluster.Node(0).Address };
        await new ChatAccounts(http).LogoutAsync(onA.RefreshToken!, Cancel);

        await closed.Task.WaitAsync(Timeout, Cancel);
    }

    [Fact]
    public async Task AMemberWhoMovesToAnotherNodeCatchesUpExactlyWhatTheyMissed()
    {
        var cluster = await ClusterAsync();
        var room = Unique("move");
        await using var ann = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("ann"), Cancel);
        var bobName = Unique("bob");
        await ann.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
        await using (var bob = await ClusterNodes.ConnectAsync(cluster.Node(0), bobName, Cancel))
        {
            await bob.Connection.JoinRoomAsync(room, Cancel);
            for (var i = 1; i <= 3; i++)
            {
                await ann.Connection.SendMessageAsync(room, $"live {i}", $"live-{i}", Cancel);
            }

            await bob.Events.WaitForMessagesAsync(3, room);
        }

        for (var i = 1; i <= 4; i++)
        {
            await ann.Connection.SendMessageAsync(room, $"missed {i}", $"missed-{i}", Cancel);
        }

        await using var moved = await ClusterNodes.ConnectAsync(cluster.Node(1), bobName, Cancel);
        var caughtUp = new List<long>();
        await foreach (var entry in moved.Connection.StreamMessagesSinceAsync(room, 3, Cancel))
        {
            caughtUp.Add(entry.Seq);
        }

        Assert.Equal([4L, 5L, 6L, 7L], caughtUp);
    }
}
