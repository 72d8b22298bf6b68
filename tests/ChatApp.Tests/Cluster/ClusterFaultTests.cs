using System.Diagnostics;

namespace ChatApp.Tests.Cluster;

/// <summary>
/// Faults under load, each on a cluster of its own: a node killed with -9, Redis restarted, a node cut from Redis.
/// For every member connected throughout: every acked entry arrives, in seq order, once, with no gap.
/// </summary>
public sealed class ClusterFaultTests(PostgresServer postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task KillingANodeUnderLoadLosesNoAckedEntryAndItsMembersCatchUpOnAnother()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, count: 2, Cancel);
        var room = Unique("kill");
        await using var survivor = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("sur"), Cancel);
        await using var sender0 = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("sa"), Cancel);
        await using var sender1 = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("sb"), Cancel);
        var movedName = Unique("mov");
        await using var doomed = await ClusterNodes.ConnectAsync(cluster.Node(1), movedName, Cancel);
        await survivor.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
        foreach (var member in new[] { sender0, sender1, doomed })
        {
            await member.Connection.JoinRoomAsync(room, Cancel);
        }

        var load = new ClusterLoad();
        using var stop = new CancellationTokenSource();
        var sending = Task.WhenAll(load.SendUntilAsync(sender0, room, Pause, stop.Token), load.SendUntilAsync(sender1, room, Pause, stop.Token));
        await survivor.Events.WaitForMessagesAsync(20, room);
        await cluster.KillAsync(1);
        var ackedAtKill = load.AckedSeqs.Count;
        await survivor.Events.WaitUntilAsync(r => r.Entries().Count(m => m.Room == room) >= ackedAtKill + 20, "sends after the kill", Timeout);
        await stop.CancelAsync();
        await sending.WaitAsync(Timeout, Cancel);

        await load.AssertReceivedAsync(survivor, room, Timeout);

        // The killed node's member moves to the survivor and catches up from the last seq it applied.
        var seen = doomed.Seqs(room).ToList();
        await using var moved = await ClusterNodes.ConnectAsync(cluster.Node(0), movedName, Cancel);
        await foreach (var entry in moved.Connection.StreamMessagesSinceAsync(room, seen.Count == 0 ? 0 : seen[^1], Cancel))
        {
            seen.Add(entry.Seq);
        }

        Assert.Equal(Enumerable.Range(1, seen.Count).Select(s => (long)s), seen);
        Assert.Subset(seen.ToHashSet(), load.AckedSeqs.ToHashSet());
    }

    [Fact]
    public async Task RestartingRedisUnderLoadLosesNothingForMembersOnEitherNode()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, count: 2, Cancel);
        var (room, load, members, senders) = await RoomUnderLoadAsync(cluster);
        await using var _ = members[0];
        await using var __ = members[1];
        using var stop = new CancellationTokenSource();
        var sending = Task.WhenAll(senders.Select(s => load.SendUntilAsync(s, room, Pause, stop.Token)));
        await members[1].Events.WaitForMessagesAsync(20, room);

        await cluster.StopRedisAsync(Cancel);
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel); // the outage itself, not a wait for something to happen
        await cluster.StartRedisAsync(Cancel);
        var ackedAtRestart = load.AckedSeqs.Count;
        await members[0].Events.WaitUntilAsync(r => r.Entries().Count(m => m.Room == room) >= ackedAtRestart + 20, "sends after the restart", Timeout);
        await stop.CancelAsync();
        await sending.WaitAsync(Timeout, Cancel);

        foreach (var member in members)
        {
            await load.AssertReceivedAsync(member, room, Timeout);
        }

        await DisposeAllAsync(senders);
    }

    [Fact]
    public async Task ANodeCutFromRedisForAFewSecondsCatchesUpWithoutGapsOrDuplicates()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, count: 2, Cancel);
        var (room, load, members, senders) = await RoomUnderLoadAsync(cluster);
        await using var _ = members[0];
        await using var __ = members[1];
        using var stop = new CancellationTokenSource();
        var sending = Task.WhenAll(senders.Select(s => load.SendUntilAsync(s, room, Pause, stop.Token)));
        await members[1].Events.WaitForMessagesAsync(20, room);

        // Node 2's Redis connections (its own and the backplane's, named after it) are closed again and again for 3 s.
        var cut = Stopwatch.StartNew();
        while (cut.Elapsed < TimeSpan.FromSeconds(3))
        {
            var clients = await cluster.RedisCliAsync(Cancel, "CLIENT", "LIST");
            foreach (var line in clients.Split('\n').Where(l => l.Contains("name=chatapp-node2", StringComparison.Ordinal)))
            {
                var id = line.Split(' ').First(p => p.StartsWith("id=", StringComparison.Ordinal))[3..];
                await cluster.RedisCliAsync(Cancel, "CLIENT", "KILL", "ID", id);
            }

            await Task.Delay(100, Cancel);
        }

        var ackedAfterCut = load.AckedSeqs.Count;
        await members[0].Events.WaitUntilAsync(r => r.Entries().Count(m => m.Room == room) >= ackedAfterCut + 20, "sends after the cut", Timeout);
        await stop.CancelAsync();
        await sending.WaitAsync(Timeout, Cancel);

        foreach (var member in members)
        {
            await load.AssertReceivedAsync(member, room, Timeout);
        }

        await DisposeAllAsync(senders);
    }

    /// <summary>A room with a watching member and a sender on each of the two nodes.</summary>
    private static async Task<(string Room, ClusterLoad Load, Member[] Members, Member[] Senders)> RoomUnderLoadAsync(ClusterNodes cluster)
    {
        var room = Unique("load");
        var members = new[]
        {
            await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("wa"), Cancel),
            await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("wb"), Cancel),
        };
        var senders = new[]
        {
            await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("sa"), Cancel),
            await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("sb"), Cancel),
        };
        await members[0].Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
        foreach (var member in members.Skip(1).Concat(senders))
        {
            await member.Connection.JoinRoomAsync(room, Cancel);
        }

        return (room, new ClusterLoad(), members, senders);
    }

    private static async Task DisposeAllAsync(IEnumerable<Member> members)
    {
        foreach (var member in members)
        {
            await member.DisposeAsync();
        }
    }
}
