using System.Net;
using ChatApp.Client;

namespace ChatApp.Tests;

/// <summary>The server as a real process on PostgreSQL, configured by environment variables as scripts and clusters start it.</summary>
public sealed class PostgresHostingTests(PostgresServer postgres) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chatapp-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task AServerProcessOnPostgresIsReadyAndWhatItStoredIsThereAfterARestart()
    {
        var environment = (await postgres.NewDatabaseAsync(Ct)).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        await using (var first = ServerProcess.Start(_directory, environment))
        {
            await first.WaitUntilAnsweringAsync("/healthz/live", StartTimeout, Ct);
            using var http = new HttpClient { BaseAddress = first.Address };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/ready", Ct)).StatusCode);
            await new ChatAccounts(http).RegisterAsync("alice", ChatServer.Password, Ct);
            await first.TerminateAsync(Ct);
            Assert.Equal(0, await first.WaitForExitAsync(StartTimeout, Ct));
            Assert.DoesNotContain("chat.db", first.Output, StringComparison.Ordinal); // no SQLite file was opened or locked
        }

        await using var second = ServerProcess.Start(_directory, environment);
        await second.WaitUntilAnsweringAsync("/healthz/ready", StartTimeout, Ct);
        using var again = new HttpClient { BaseAddress = second.Address };
        var login = await new ChatAccounts(again).LoginAsync("ALICE", ChatServer.Password, Ct);
        Assert.False(string.IsNullOrEmpty(login.AccessToken));
        Assert.Contains("applied 0 migrations", second.Output, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a log file still held open only leaves a temp folder behind
        }

        return ValueTask.CompletedTask;
    }
}
