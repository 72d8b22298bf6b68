using System.Data.Common;
using System.Net;
using ChatApp.Client;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Tests;

/// <summary>Ack means durable and health means writable: a lost database file, failing commits, two servers on one file.</summary>
public sealed class WritabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "chatapp-tests", Guid.NewGuid().ToString("N"));

    private static async Task<HttpStatusCode> ProbeAsync(ChatServer server, string path)
    {
        using var http = server.CreateHttpClient();
        using var response = await http.GetAsync(path, Ct);
        return response.StatusCode;
    }

    private static async Task AssertRefusedForRetryAsync(ChatConnection connection, string text, string id)
    {
        var refused = await Assert.ThrowsAsync<HubException>(() => connection.SendMessageAsync("general", text, id, Ct));
        Assert.True(ChatConnection.IsRetryable(refused, Ct), refused.Message);
    }

    [Fact]
    public async Task AfterTheDataFolderIsDeletedSendsAreRefusedForRetryAndReadinessIs503WhileLivenessStaysUp()
    {
        var data = NewFolder();
        await using var server = new ChatServer(new Dictionary<string, string> { ["Storage:DatabasePath"] = Path.Combine(data, "chat.db") });
        await using var alice = await server.UserAsync("alice", "general");
        await alice.Connection.SendMessageAsync("general", "before", "before", Ct);

        Directory.Delete(data, recursive: true);

        await AssertRefusedForRetryAsync(alice.Connection, "into the void", "void");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ProbeAsync(server, "/healthz/ready"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ProbeAsync(server, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, await ProbeAsync(server, "/healthz/live"));
    }

    [Fact]
    public async Task ADatabaseMovedAwayGetsNoAcksUntilItIsBackAndARestartFindsEveryAckedMessage()
    {
        var data = NewFolder();
        var away = data + "-away";
        await using var server = new ChatServer(new Dictionary<string, string> { ["Storage:DatabasePath"] = Path.Combine(data, "chat.db") });
        await using var alice = await server.UserAsync("alice", "general");
        var acked = new List<ChatMessage> { await alice.Connection.SendMessageAsync("general", "one", "one", Ct) };

        Directory.Move(data, away); // SQLite's open files go with it: without the check, commits would land there and be acked
        await AssertRefusedForRetryAsync(alice.Connection, "two", "two");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ProbeAsync(server, "/healthz/ready"));

        Directory.Move(away, data);
        Assert.Equal(HttpStatusCode.OK, await ProbeAsync(server, "/healthz/ready"));
        acked.Add(await alice.Connection.SendMessageAsync("general", "two", "two", Ct)); // the retry, same id
        acked.Add(await alice.Connection.SendMessageAsync("general", "three", "three", Ct));

        await server.RestartAsync();
        await using var again = await server.ConnectAsync(alice.Token);
        var stored = await again.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal(acked.Select(m => (m.Seq, m.Text)), stored.Select(m => (m.Seq, m.Text)));
        Assert.Equal([1L, 2L, 3L], stored.Select(m => m.Seq));
    }

    /// <summary>Makes every commit fail as a read-only file or a full disk would, while <see cref="Failing"/> is set.</summary>
    private sealed class FailingCommits : DbTransactionInterceptor
    {
        public volatile bool Failing;

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            Failing ? throw new SqliteException("attempt to write a readonly database", 8) : ValueTask.FromResult(result);
    }

    [Fact]
    public async Task WhileCommitsFailReadinessIs503AndItRecoversByItselfWhenTheyWorkAgain()
    {
        var commits = new FailingCommits();
        await using var server = new ChatServer(services: services => services.AddSingleton<IInterceptor>(commits));
        await using var alice = await server.UserAsync("alice", "general");

        commits.Failing = true;
        await AssertRefusedForRetryAsync(alice.Connection, "refused", "refused");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ProbeAsync(server, "/healthz/ready"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ProbeAsync(server, "/healthz/ready")); // still, without traffic
        Assert.Equal(HttpStatusCode.OK, await ProbeAsync(server, "/healthz/live"));

        commits.Failing = false;
        Assert.Equal(HttpStatusCode.OK, await ProbeAsync(server, "/healthz/ready")); // without any send in between
        var stored = await alice.Connection.SendMessageAsync("general", "refused", "refused", Ct);
        Assert.Equal(1, stored.Seq);
    }

    [Fact]
    public async Task ASecondServerOnTheSameDatabaseRefusesToStartNamingTheLockAndTheProcessHoldingIt()
    {
        var path = Path.Combine(NewFolder(), "chat.db");
        var settings = new Dictionary<string, string> { ["Storage:DatabasePath"] = path };
        await using var first = new ChatServer(settings);

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var second = new ChatServer(settings);
        });

        var message = error.ToString();
        Assert.Contains(path + ".lock", message, StringComparison.Ordinal);
        Assert.Contains($"process {Environment.ProcessId}", message, StringComparison.Ordinal);
        Assert.Contains("cluster mode", message, StringComparison.Ordinal);
        await using var alice = await first.UserAsync("alice", "general"); // the first one is unharmed
        Assert.Equal(1, (await alice.Connection.SendMessageAsync("general", "still here", "x", Ct)).Seq);
    }

    [Fact]
    public async Task ASecondServerProcessOnTheSameDatabaseExitsNamingTheFirstOnesProcess()
    {
        var data = NewFolder();
        await using var first = ServerProcess.Start(data);
        await first.WaitUntilAnsweringAsync("/healthz/ready", TimeSpan.FromSeconds(60), Ct);
        await using var second = ServerProcess.Start(data);

        Assert.NotEqual(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(60), Ct));
        Assert.Contains($"process {first.Id}", second.Output, StringComparison.Ordinal);
        Assert.False(first.HasExited);
    }
}
