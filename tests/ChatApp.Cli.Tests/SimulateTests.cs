using System.Text.Json;

namespace ChatApp.Cli.Tests;

/// <summary><c>chatapp simulate</c> against a real server in memory: every delivery checked by seq.</summary>
public sealed class SimulateTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    // The simulator registers 50 users from one address and sends faster than the rate limits allow: they are off here.
    private readonly ChatTestServer _server = new(limits: false);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<(int ExitCode, JsonElement Report, RecordedOutput Out)> SimulateAsync(params string[] args)
    {
        var json = Path.Combine(_server.Directory, $"report-{Guid.NewGuid():N}.json");
        var output = new RecordedOutput();
        var error = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();
        var exitCode = await CliApp.RunAsync(["simulate", "--server", "http://localhost", "--json", json, .. args],
            _server.Environment(input, output, error), Cancel).WaitAsync(RunTimeout, Cancel);
        Assert.True(File.Exists(json), $"no report; stdout:\n{output.Text}\nstderr:\n{error.Text}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json, Cancel));
        return (exitCode, report.RootElement.Clone(), output);
    }

    [Fact]
    public async Task FiftyUsersInAFewRoomsGetEveryMessageOnceAndInOrder()
    {
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "50", "--rooms", "4", "--rate", "2", "--duration", "3s", "--warmup", "500ms", "--login-concurrency", "8");

        var deliveries = report.GetProperty("deliveries");
        Assert.True(exitCode == 0, output.Text);
        Assert.True(report.GetProperty("passed").GetBoolean());
        Assert.Equal(50, report.GetProperty("connect").GetProperty("succeeded").GetInt32());
        Assert.Equal(0, deliveries.GetProperty("missing").GetInt64());
        Assert.Equal(0, deliveries.GetProperty("duplicated").GetInt64());
        Assert.Equal(0, deliveries.GetProperty("outOfOrder").GetInt64());
        Assert.Equal(0, deliveries.GetProperty("interruptedBots").GetInt32());

        // Every acked message reached every member of its room: 50 bots over 4 rooms is 12 or 13 per room.
        var acked = report.GetProperty("messages").GetProperty("acknowledged").GetInt64();
        Assert.True(acked > 100, $"only {acked} messages acknowledged");
        Assert.Equal(report.GetProperty("messages").GetProperty("sent").GetInt64(), acked);
        Assert.InRange(deliveries.GetProperty("expected").GetInt64(), acked * 12, acked * 13);
        Assert.Equal(deliveries.GetProperty("expected").GetInt64(), deliveries.GetProperty("received").GetInt64());
        Assert.True(report.GetProperty("latency").GetProperty("count").GetInt64() > 0);
        Assert.Contains("missing 0  duplicated 0  out-of-order 0", output.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("websockets", "messagepack")]
    [InlineData("auto", "json")]
    public async Task TheSimulatorChecksEveryDeliveryOverTheTransportAndProtocolItIsGiven(string transport, string protocol)
    {
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "8", "--rooms", "2", "--rate", "2", "--duration", "2s", "--warmup", "500ms", "--transport", transport, "--protocol", protocol, "--bot-prefix", protocol[..4]);

        Assert.True(exitCode == 0, output.Text);
        Assert.Equal(transport, report.GetProperty("settings").GetProperty("transport").GetString());
        Assert.Equal(protocol, report.GetProperty("settings").GetProperty("protocol").GetString());
        var deliveries = report.GetProperty("deliveries");
        Assert.True(report.GetProperty("messages").GetProperty("acknowledged").GetInt64() > 10);
        Assert.Equal(0, deliveries.GetProperty("missing").GetInt64());
        Assert.Equal(deliveries.GetProperty("expected").GetInt64(), deliveries.GetProperty("received").GetInt64());
    }

    [Fact]
    public async Task BotsRefreshTheirTokensAndKeepSendingWhenTheServerClosesExpiredConnections()
    {
        await using var server = new ChatTestServer(settings: new Dictionary<string, string>
        {
            ["Auth:AccessTokenMinutes"] = "0.05", // 3 seconds: every bot's connection is closed mid-run
            ["Auth:ClockSkewSeconds"] = "0",
        });
        var json = Path.Combine(server.Directory, "report.json");
        var output = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();

        await CliApp.RunAsync(["simulate", "--server", "http://localhost", "--json", json, "--users", "10", "--rooms", "2", "--rate", "2",
            "--duration", "9s", "--warmup", "500ms", "--bot-prefix", "short"], server.Environment(input, output, new RecordedOutput()), Cancel).WaitAsync(RunTimeout, Cancel);

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json, Cancel));
        var root = report.RootElement;
        Assert.True(root.GetProperty("deliveries").GetProperty("interruptedBots").GetInt32() > 0, output.Text); // the server did close them
        // 10 bots at 2/s for 9 s: far more acks than the first token's 3 seconds could have carried.
        var acked = root.GetProperty("messages").GetProperty("acknowledged").GetInt64();
        Assert.True(acked > 100, $"only {acked} acknowledged:\n{output.Text}");
        Assert.Equal(0, root.GetProperty("deliveries").GetProperty("duplicated").GetInt64());
        Assert.Equal(0, root.GetProperty("deliveries").GetProperty("outOfOrder").GetInt64());
    }

    [Fact]
    public async Task CompareSequentialServesTheSameBotsOneAfterAnotherThenTogether()
    {
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "6", "--rooms", "2", "--rate", "1", "--duration", "3s", "--compare-sequential", "--bot-prefix", "seq");

        Assert.True(exitCode == 0, output.Text);
        var comparison = report.GetProperty("comparison");
        Assert.Equal(3, comparison.GetProperty("messagesPerUser").GetInt32());
        Assert.Equal(18, comparison.GetProperty("sequential").GetProperty("acknowledged").GetInt64());
        Assert.Equal(18, comparison.GetProperty("concurrent").GetProperty("acknowledged").GetInt64());
        Assert.Contains("sequential", output.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdleBotsConnectJoinAndStayForTheDurationWithoutSendingAnything()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "12", "--rooms", "3", "--idle", "--duration", "2s", "--warmup", "0s", "--bot-prefix", "idle");

        Assert.True(exitCode == 0, output.Text);
        Assert.True(report.GetProperty("passed").GetBoolean());
        Assert.Equal(12, report.GetProperty("connect").GetProperty("succeeded").GetInt32());
        Assert.False(report.TryGetProperty("messages", out _), output.Text); // nothing was sent
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromSeconds(2), "the bots did not stay connected for the duration");
    }

    [Fact]
    public async Task ARateOfZeroIsRefusedUnlessTheBotsAreIdle()
    {
        var output = new RecordedOutput();
        var error = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();

        var exitCode = await CliApp.RunAsync(["simulate", "--server", "http://localhost", "--rate", "0"], _server.Environment(input, output, error), Cancel).WaitAsync(RunTimeout, Cancel);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--rate", error.Text + output.Text, StringComparison.Ordinal);
    }
}
