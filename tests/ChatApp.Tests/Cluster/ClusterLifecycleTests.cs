using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace ChatApp.Tests.Cluster;

/// <summary>
/// A cluster's birth and a node's death, each on a cluster of its own: nodes started at the same moment on an
/// empty database, and a node killed with -9 whose users must go offline, once, within the promised bound.
/// </summary>
public sealed partial class ClusterLifecycleTests(PostgresServer postgres, ITestOutputHelper output)
{
    // The fixture's nodes beat every second and are dead after 3 without a beat (Cluster:HeartbeatSeconds, NodeTimeoutSeconds).
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(3); // a busy test machine's scheduling and delivery
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task TwoNodesStartedAtOnceOnAnEmptyDatabaseBothComeUpMigratedOnceAndServing()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, count: 0, Cancel);

        // Both processes start before either is waited for: their migrations race on the same empty database.
        await Task.WhenAll(cluster.StartNodeAsync(Cancel), cluster.StartNodeAsync(Cancel)).WaitAsync(ClusterNodes.StartTimeout * 2, Cancel);

        foreach (var node in new[] { cluster.Node(0), cluster.Node(1) })
        {
            output.WriteLine(string.Join('\n', node.Output.Split('\n').Where(l => l.Contains("migrations", StringComparison.Ordinal))));
            Assert.False(node.HasExited);
            var errors = ErrorsIn(node.Output);
            Assert.True(errors.Count == 0, "A node logged an error at start-up:\n" + string.Join('\n', errors));
        }

        // Every migration of this server is recorded once, and nothing else is.
        var known = typeof(PostgresChatDbContext).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<DbContextAttribute>()?.ContextType == typeof(PostgresChatDbContext))
            .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(known);
        Assert.Equal(known, await AppliedMigrationsAsync(cluster.ConnectionString));

        // Nothing is refused: each node takes a write and delivers the other's.
        var room = Unique("born");
        await using var ann = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("ann"), Cancel);
        await using var bob = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("bob"), Cancel);
        await ann.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
        await bob.Connection.JoinRoomAsync(room, Cancel);
        await ann.Connection.SendMessageAsync(room, "from 1", "a1", Cancel).WaitAsync(Timeout, Cancel);
        await bob.Connection.SendMessageAsync(room, "from 2", "b1", Cancel).WaitAsync(Timeout, Cancel);
        await ann.Events.WaitUntilAsync(r => r.Entries().Count(m => m.Room == room) == 2, "both entries on node 1", Timeout);
        await bob.Events.WaitUntilAsync(r => r.Entries().Count(m => m.Room == room) == 2, "both entries on node 2", Timeout);
    }

    [Fact]
    public async Task ANodeKilledWithSigkillHasItsUsersAnnouncedOfflineOnEverySurvivorOnceWithinTheBound()
    {
        // Three nodes: two survivors race to sweep the dead one, and only one may announce its users.
        await using var cluster = await ClusterNodes.StartAsync(postgres, count: 3, Cancel);
        var room = Unique("wake");
        await using var ann = await ClusterNodes.ConnectAsync(cluster.Node(0), Unique("ann"), Cancel);
        await using var cat = await ClusterNodes.ConnectAsync(cluster.Node(1), Unique("cat"), Cancel);
        var bob = await ClusterNodes.ConnectAsync(cluster.Node(2), Unique("bob"), Cancel);
        await ann.Connection.CreateRoomAsync(room, isPrivate: false, Cancel);
        await cat.Connection.JoinRoomAsync(room, Cancel);
        await bob.Connection.JoinRoomAsync(room, Cancel);
        foreach (var watcher in new[] { ann, cat })
        {
            await WaitUntilOnlineAsync(watcher, room, bob.Name);
        }

        var killed = Stopwatch.StartNew();
        await cluster.KillAsync(2);
        var bound = NodeTimeout + Heartbeat + Margin;
        await Task.WhenAll(new[] { ann, cat }.Select(watcher =>
            watcher.Events.WaitUntilAsync(r => OfflineCount(r, bob.Name) > 0, $"{watcher.Name} to see bob offline", Timeout)));
        var elapsed = killed.Elapsed;
        output.WriteLine($"bob announced offline on both survivors {elapsed.TotalSeconds:F1} s after the kill (bound {bound.TotalSeconds:F0} s)");
        Assert.True(elapsed <= bound, $"bob went offline {elapsed.TotalSeconds:F1} s after the kill; the bound is {bound.TotalSeconds:F0} s");

        // Long enough for every survivor to have swept twice more: still exactly one announcement each.
        await Task.Delay(NodeTimeout + 2 * Heartbeat, Cancel);
        Assert.Equal(1, OfflineCount(ann.Events, bob.Name));
        Assert.Equal(1, OfflineCount(cat.Events, bob.Name));
        Assert.False((await ann.Connection.GetRoomMembersAsync(room, Cancel)).Single(m => m.UserName == bob.Name).Online);
        await bob.Connection.DisposeAsync().AsTask().WaitAsync(Timeout, Cancel);
    }

    /// <summary>Until <paramref name="watcher"/>'s node counts the user online (it learns of a new node at its next beat).</summary>
    private static async Task WaitUntilOnlineAsync(Member watcher, string room, string userName)
    {
        var waited = Stopwatch.StartNew();
        while (!(await watcher.Connection.GetRoomMembersAsync(room, Cancel).WaitAsync(Timeout, Cancel)).Single(m => m.UserName == userName).Online)
        {
            Assert.True(waited.Elapsed < Timeout, $"{userName} never showed online to {watcher.Name}");
            await Task.Delay(Heartbeat / 4, Cancel);
        }
    }

    /// <summary>
    /// Error lines with the one that follows. EF Core's probe of a history table that does not exist yet is left
    /// out: it logs its failed SELECT at Error on every first start, one node or many, and carries on.
    /// </summary>
    private static List<string> ErrorsIn(string output)
    {
        var lines = output.Split('\n');
        return [.. lines.Select((line, i) => (line, next: i + 1 < lines.Length ? lines[i + 1] : ""))
            .Where(l => ErrorLine().IsMatch(l.line))
            .Where(l => !(l.line.Contains("EntityFrameworkCore.Database.Command: Failed executing", StringComparison.Ordinal)
                && l.next.StartsWith("SELECT \"MigrationId\"", StringComparison.Ordinal)))
            .Select(l => l.line + "\n" + l.next)];
    }

    private static int OfflineCount(EventRecorder events, string userName) =>
        events.Snapshot().Count(e => e.Name == nameof(EventRecorder.UserOffline) && (string)e.Args[0] == userName);

    private static async Task<List<string>> AppliedMigrationsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancel);
        await using var query = new NpgsqlCommand("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\"", connection);
        await using var reader = await query.ExecuteReaderAsync(Cancel);
        var ids = new List<string>();
        while (await reader.ReadAsync(Cancel))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    // Serilog's console lines: "[12:00:00 ERR] ..." or FTL.
    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d (ERR|FTL)\]")]
    private static partial Regex ErrorLine();
}
