using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ChatApp.Tests;

namespace ChatApp.Cli.Tests;

/// <summary>
/// <c>chatapp simulate</c> when servers go away mid-run: a real server process killed with SIGKILL and restarted,
/// and one of two server addresses cut off. Bots reconnect, catch up through <c>StreamMessagesSince</c>, and are
/// checked like every other bot.
/// </summary>
public sealed class SimulateFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "chatapp-tests", "sim-" + Guid.NewGuid().ToString("N"));
    private readonly List<IAsyncDisposable> _owned = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by an exiting process; the temp folder is cleaned eventually.
        }
    }

    private CliEnvironment Environment(RecordedOutput output, RecordedOutput error)
    {
        var input = new TypedInput();
        input.EndInput();
        return new CliEnvironment { In = input, Out = output, Error = error, SessionPath = Path.Combine(_data, "session.json") };
    }

    private async Task<ServerProcess> StartServerAsync(string? url = null)
    {
        var environment = new Dictionary<string, string> { ["Limits__Enabled"] = "false" };
        if (url is not null)
        {
            environment["ASPNETCORE_URLS"] = url;
        }

        var server = ServerProcess.Start(_data, environment);
        _owned.Add(server);
        await server.WaitUntilAnsweringAsync("/healthz/ready", StartTimeout, Cancel);
        return server;
    }

    private static async Task KillAsync(ServerProcess server)
    {
        using (var kill = Process.Start("kill", ["-KILL", server.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(Cancel);
        }

        var deadline = Stopwatch.StartNew();
        while (!server.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, Cancel);
        }

        Assert.True(server.HasExited, "the server survived SIGKILL");
    }

    private async Task<(Task<int> Run, string Json, RecordedOutput Out, RecordedOutput Error)> StartSimulationAsync(string servers, params string[] args)
    {
        var json = Path.Combine(_data, $"report-{Guid.NewGuid():N}.json");
        var output = new RecordedOutput();
        var error = new RecordedOutput();
        var run = CliApp.RunAsync(["simulate", "--server", servers, "--json", json, .. args], Environment(output, error), Cancel);
        // Sending has begun once the progress line names the phase.
        await error.WaitForLineAsync(line => line.Contains("s send ", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        return (run, json, output, error);
    }

    private static async Task<JsonElement> ReportAsync(string json)
    {
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json, Cancel));
        return report.RootElement.Clone();
    }

    [Fact]
    public async Task BotsOfAServerKilledWithSigkillAndRestartedCatchUpAndAreCheckedLikeEveryOtherBot()
    {
        var server = await StartServerAsync();
        var url = server.Address.ToString().TrimEnd('/');
        var (run, json, output, error) = await StartSimulationAsync(url,
            "--users", "12", "--rooms", "2", "--rate", "2", "--duration", "10s", "--warmup", "500ms", "--bot-prefix", "kill", "--drain-timeout", "60s");

        await Task.Delay(TimeSpan.FromSeconds(2), Cancel); // some messages acked and delivered live
        await KillAsync(server);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancel); // sends fall due while it is down
        await StartServerAsync(url);
        var exitCode = await run.WaitAsync(RunTimeout, Cancel);

        var report = await ReportAsync(json);
        var deliveries = report.GetProperty("deliveries");
        var acked = report.GetProperty("messages").GetProperty("acknowledged").GetInt64();
        var text = $"{output.Text}\n{error.Text}";
        Assert.True(exitCode == 0, text);
        Assert.True(report.GetProperty("passed").GetBoolean(), text);
        Assert.Equal(12, deliveries.GetProperty("interruptedBots").GetInt32()); // every bot lost its connection...
        Assert.Equal(12, deliveries.GetProperty("checkedBots").GetInt32()); // ...and every one was checked all the same
        // Whether an entry came live or through the catch-up depends on who reconnected first; either way it was checked.
        Assert.True(acked > 100, $"only {acked} acknowledged:\n{text}");
        Assert.Equal(acked * 6, deliveries.GetProperty("expected").GetInt64()); // 12 bots in 2 rooms: 6 members see each message
        Assert.Equal(0, deliveries.GetProperty("missing").GetInt64());
        Assert.Equal(0, deliveries.GetProperty("duplicated").GetInt64());
        Assert.Equal(0, deliveries.GetProperty("outOfOrder").GetInt64());
    }

    [Fact]
    public async Task ARunWhoseServerNeverComesBackFailsInsteadOfPassingOnWhatItCouldNotCheck()
    {
        var server = await StartServerAsync();
        var (run, json, output, error) = await StartSimulationAsync(server.Address.ToString(),
            "--users", "6", "--rooms", "1", "--rate", "2", "--duration", "10s", "--warmup", "500ms", "--bot-prefix", "gone", "--drain-timeout", "3s");

        // Well inside the send phase, even when the progress line that says it began was late (a busy machine): a kill
        // after the last send would leave nothing unchecked, and the run would rightly pass.
        await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        await KillAsync(server);
        var exitCode = await run.WaitAsync(RunTimeout, Cancel);

        var report = await ReportAsync(json);
        var deliveries = report.GetProperty("deliveries");
        Assert.NotEqual(0, exitCode);
        Assert.False(report.GetProperty("passed").GetBoolean(), output.Text);
        Assert.Equal(6, deliveries.GetProperty("checkedBots").GetInt32()); // the interrupted bots were not left out
        Assert.True(report.GetProperty("messages").GetProperty("failed").GetInt64() > 0, output.Text); // sends that never found a server
        Assert.Contains("result     FAIL", output.Text, StringComparison.Ordinal);
        Assert.Contains("not removed: the rest", output.Text, StringComparison.Ordinal); // the cleanup found no server, and says so
    }

    [Fact]
    public async Task BotsAreDealtToEveryServerAndThoseWhoseServerGoesAwayMoveToAnotherAndCatchUp()
    {
        var server = await StartServerAsync();
        await using var proxy = TcpRelay.Start(server.Address); // a second address for the same server, which the test can take away
        var servers = $"{server.Address.ToString().TrimEnd('/')},{proxy.Address.ToString().TrimEnd('/')}";
        var (run, json, output, error) = await StartSimulationAsync(servers,
            "--users", "10", "--rooms", "1", "--rate", "2", "--duration", "8s", "--warmup", "500ms", "--bot-prefix", "node", "--drain-timeout", "40s");
        // One room, so it has members on both addresses: while the second one's bots are away, the first one's keep
        // sending, and the moved bots must catch up. (With two rooms, dealt round-robin, each room lived on one address,
        // and on a busy machine all of a room's senders could be away together, leaving nothing to catch up.)

        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        proxy.Stop(); // every connection through it drops, and new ones are refused: that "node" is gone
        var exitCode = await run.WaitAsync(RunTimeout, Cancel);

        var report = await ReportAsync(json);
        var text = $"{output.Text}\n{error.Text}";
        Assert.True(exitCode == 0, text);
        var perServer = report.GetProperty("perServer").EnumerateArray().ToList();
        Assert.Equal(2, perServer.Count);
        Assert.All(perServer, s => Assert.Equal(5, s.GetProperty("bots").GetInt32())); // round-robin
        Assert.Equal(10, perServer[0].GetProperty("connectedAtEnd").GetInt32()); // the second node's bots moved to the first
        Assert.True(perServer[0].GetProperty("movedHere").GetInt32() >= 5, text);
        Assert.True(perServer[1].GetProperty("acknowledged").GetInt64() > 0, text); // it did serve before it went away
        var deliveries = report.GetProperty("deliveries");
        Assert.True(deliveries.GetProperty("caughtUp").GetInt64() > 0, text);
        Assert.Equal(10, deliveries.GetProperty("checkedBots").GetInt32());
        Assert.Equal(0, deliveries.GetProperty("missing").GetInt64());
        Assert.Equal(0, deliveries.GetProperty("duplicated").GetInt64());
        Assert.Equal(0, deliveries.GetProperty("outOfOrder").GetInt64());
        Assert.Contains("server     http://", output.Text, StringComparison.Ordinal);
    }
}
