using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Tests.Cluster;

/// <summary>
/// Limits in cluster mode, on two nodes with small limits: a user's calls on both nodes draw on one bucket and
/// their connections count against one quota, kept in Redis. Each test would pass on limits kept per node only
/// if the user stayed on one node; spread over two, per-node limits would let twice as much through.
/// </summary>
public sealed class ClusterLimitsTests(PostgresServer postgres, ClusterLimitsTests.LimitedCluster shared) : IClassFixture<ClusterLimitsTests.LimitedCluster>
{
    private const int MessagesBurst = 6;
    private const int ConnectionsPerUser = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private Task<ClusterNodes> ClusterAsync() => shared.GetAsync(postgres, Cancel);

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task AUserWhoSendsOnBothNodesIsHeldToOneMessageLimitOnHubAndRestAlike()
    {
        var cluster = await ClusterAsync();
        var room = Unique("lim");
        var name = Unique("ann");
        await using var onA = await ClusterNodes.ConnectAsync(cluster.Node(0), name, Cancel);
        await using var onB = await ClusterNodes.ConnectAsync(cluster.Node(1), name, Cancel);
        await onA.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);

        // Half the burst on each node: within one node's limit twice over, exactly the cluster's.
        for (var i = 0; i < MessagesBurst; i++)
        {
            var sender = i % 2 == 0 ? onA : onB;
            await sender.Connection.SendMessageAsync(room, $"m{i}", $"m{i}", Cancel).WaitAsync(Timeout, Cancel);
        }

        var refused = await Assert.ThrowsAsync<HubException>(() => onB.Connection.SendMessageAsync(room, "one too many", "over-hub", Cancel).WaitAsync(Timeout, Cancel));
        Assert.Contains("[rate_limited retry_after=", refused.Message, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = cluster.Node(0).Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", onA.AccessToken);
        using var post = await http.PostAsJsonAsync($"/api/rooms/{room}/messages", new { text = "over REST", clientMessageId = "over-rest" }, Cancel);
        Assert.Equal(HttpStatusCode.TooManyRequests, post.StatusCode);
        Assert.NotNull(post.Headers.RetryAfter);

        // Another user is not held back by ann's bucket.
        await using var bob = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("bob"), Cancel);
        await bob.Connection.JoinRoomAsync(room, Cancel);
        await bob.Connection.SendMessageAsync(room, "fine", "b1", Cancel).WaitAsync(Timeout, Cancel);
    }

    [Fact]
    public async Task ConnectionsOfOneUserCountAgainstOneQuotaWhicheverNodeTheyOpenOn()
    {
        var cluster = await ClusterAsync();
        var name = Unique("cyd");
        var open = new List<Member>();
        try
        {
            for (var i = 0; i < ConnectionsPerUser; i++)
            {
                open.Add(await ClusterNodes.ConnectAsync(cluster.Node(i % 2), name, Cancel));
            }

            // Node 1 holds one of the three and node 2 two (or the other way round): each is under the quota on its own.
            foreach (var node in new[] { cluster.Node(0), cluster.Node(1) })
            {
                var refused = await Assert.ThrowsAnyAsync<Exception>(() => ClusterNodes.ConnectAsync(node, name, Cancel));
                Assert.Contains("429", refused.ToString(), StringComparison.Ordinal);
            }

            // A connection that closes on one node frees its place for one on the other.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            open.Add(await ConnectWhenFreeAsync(cluster.Node(1), name));
            await Assert.ThrowsAnyAsync<Exception>(() => ClusterNodes.ConnectAsync(cluster.Node(0), name, Cancel));
        }
        finally
        {
            foreach (var member in open)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AConnectionLetInWhileRedisWasTooSlowToCountItLeavesNoPlaceTakenInTheQuotaOnceRedisCatchesUp()
    {
        var cluster = await ClusterAsync();
        var name = Unique("eve");
        var token = await ClusterNodes.LoginAsync(cluster.Node(0), name, Cancel); // before the pause: the login has limits of its own

        // Redis holds every script that writes for longer than a node waits for it (2 s), then runs them: the node lets
        // the connection in on its own limiter, and the open it gave up on counts the connection in Redis afterwards.
        await cluster.RedisCliAsync(Cancel, "CLIENT", "PAUSE", "3500", "WRITE");
        var late = await ClusterNodes.ConnectAsync(cluster.Node(0), name, token, Cancel);
        await late.DisposeAsync();

        // Once the held open has run, its count must be given back: the whole quota is free again, on either node.
        var open = new List<Member>();
        try
        {
            for (var i = 0; i < ConnectionsPerUser; i++)
            {
                open.Add(await ConnectWhenFreeAsync(cluster.Node(i % 2), name, token));
            }
        }
        finally
        {
            foreach (var member in open)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task WhileRedisIsDownEachNodeStillHoldsAUserToTheLimitOnItsOwnAndAfterwardsTheSharedOneIsBack()
    {
        var cluster = await ClusterAsync();
        var room = Unique("out");
        var name = Unique("dee");
        await using var onA = await ClusterNodes.ConnectAsync(cluster.Node(0), name, Cancel);
        await using var onB = await ClusterNodes.ConnectAsync(cluster.Node(1), name, Cancel);
        await onA.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
        await onB.Connection.JoinRoomAsync(room, Cancel);

        await cluster.StopRedisAsync(Cancel);
        try
        {
            // Node 1's own bucket: a burst, then refused; not a Redis error, and not unlimited.
            for (var i = 0; i < MessagesBurst; i++)
            {
                await onA.Connection.SendMessageAsync(room, $"m{i}", $"m{i}", Cancel).WaitAsync(Timeout, Cancel);
            }

            var refused = await Assert.ThrowsAsync<HubException>(() => onA.Connection.SendMessageAsync(room, "over", "over", Cancel).WaitAsync(Timeout, Cancel));
            Assert.Contains("[rate_limited retry_after=", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.StartRedisAsync(Cancel);
        }

        // Redis is back (empty). Node 1's own bucket is spent, so its sends now succeed only from the shared one,
        // which holds one burst for the user on both nodes together.
        await cluster.Node(0).WaitUntilAnsweringAsync("/healthz/ready", Timeout, Cancel);
        await cluster.Node(1).WaitUntilAnsweringAsync("/healthz/ready", Timeout, Cancel);
        for (var i = 0; i < MessagesBurst; i++)
        {
            var sender = i % 2 == 0 ? onA : onB;
            await sender.Connection.SendMessageAsync(room, $"after {i}", $"after-{i}", Cancel).WaitAsync(Timeout, Cancel);
        }

        var shared = await Assert.ThrowsAsync<HubException>(() => onB.Connection.SendMessageAsync(room, "over again", "over-2", Cancel).WaitAsync(Timeout, Cancel));
        Assert.Contains("[rate_limited retry_after=", shared.Message, StringComparison.Ordinal);
    }

    /// <summary>Connects once the server has seen the previous close (its end of the WebSocket may come a moment after the client's).</summary>
    private static async Task<Member> ConnectWhenFreeAsync(ServerProcess node, string name, string? token = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        deadline.CancelAfter(Timeout);
        while (true)
        {
            try
            {
                return token is null ? await ClusterNodes.ConnectAsync(node, name, Cancel) : await ClusterNodes.ConnectAsync(node, name, token, Cancel);
            }
            catch (Exception ex) when (ex.ToString().Contains("429", StringComparison.Ordinal) && !deadline.IsCancellationRequested)
            {
                await Task.Delay(200, deadline.Token);
            }
        }
    }

    /// <summary>Two nodes with limits on and small, for this class's tests (which run one after another).</summary>
    public sealed class LimitedCluster : SharedCluster
    {
        private static readonly Dictionary<string, string> Limited = new()
        {
            ["Limits__Enabled"] = "true",
            ["Limits__MessagesBurst"] = MessagesBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits__MessagesPerMinute"] = "1",
            ["Limits__ConnectionsPerUser"] = ConnectionsPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Every test user registers and logs in from 127.0.0.1: those per-address limits stay out of the way.
            ["Limits__RegistrationsBurst"] = "10000",
            ["Limits__LoginsBurst"] = "10000",
        };

        protected override IReadOnlyDictionary<string, string> Settings => Limited;
    }
}
