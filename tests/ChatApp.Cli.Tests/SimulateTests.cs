using System.Text.Json;
using System.Text.RegularExpressions;

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
    public async Task StepsRunOneAfterAnotherWithTheSameBotsEachCheckedAndReportedWithASummary()
    {
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "8", "--rooms", "2", "--rates", "1,3", "--duration", "2s", "--warmup", "500ms", "--p99-limit", "60000", "--bot-prefix", "step");

        Assert.True(exitCode == 0, output.Text);
        var steps = report.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal([1.0, 3.0], steps.Select(s => s.GetProperty("settings").GetProperty("rate").GetDouble()));
        foreach (var step in steps)
        {
            var deliveries = step.GetProperty("deliveries");
            Assert.True(step.GetProperty("passed").GetBoolean(), output.Text);
            Assert.Equal(step.GetProperty("messages").GetProperty("acknowledged").GetInt64() * 4, deliveries.GetProperty("expected").GetInt64()); // this step's only
            Assert.Equal(deliveries.GetProperty("expected").GetInt64(), deliveries.GetProperty("received").GetInt64());
            Assert.Equal(8, step.GetProperty("login").GetProperty("succeeded").GetInt32()); // logged in once, for both steps
        }

        // Three times the rate: about three times the messages (8 bots for 2.5 s: ~20 at 1/s, ~60 at 3/s).
        Assert.True(steps[1].GetProperty("messages").GetProperty("acknowledged").GetInt64() > 2 * steps[0].GetProperty("messages").GetProperty("acknowledged").GetInt64(), output.Text);
        var summary = report.GetProperty("summary");
        Assert.Equal(3.0, summary.GetProperty("highestCleanRate").GetDouble());
        Assert.False(summary.TryGetProperty("firstUncleanRate", out _), output.Text); // clean at every step
        Assert.Contains("highest clean rate 3 msgs/user/s", output.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHtmlReportIsOnePageWhoseEmbeddedSeriesHasEverySecondOfEveryStepAndAddsUpToTheReport()
    {
        var html = Path.Combine(_server.Directory, "report.html");
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "8", "--rooms", "2", "--rates", "1,3", "--duration", "2s", "--warmup", "500ms", "--bot-prefix", "html", "--html", html);

        Assert.True(exitCode == 0, output.Text);
        var page = await File.ReadAllTextAsync(html, Cancel);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(page, "<svg "));
        Assert.DoesNotContain("src=", page, StringComparison.Ordinal); // self-contained: nothing to fetch
        Assert.DoesNotContain("<link", page, StringComparison.Ordinal);

        var embedded = Regex.Match(page, "<script type=\"application/json\" id=\"chatapp-series\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(embedded.Success, page);
        using var series = JsonDocument.Parse(embedded.Groups[1].Value);
        var points = series.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, points.Count), points.Select(p => p.GetProperty("second").GetInt32()));
        Assert.True(points.Count >= 5, $"{points.Count} seconds for two steps of 2.5 s"); // each step sends for 2.5 s, then drains
        Assert.Equal([0, 1], points.Select(p => p.GetProperty("step").GetInt32()).Distinct());

        var steps = report.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(steps.Sum(s => s.GetProperty("messages").GetProperty("acknowledged").GetInt64()), points.Sum(p => p.GetProperty("acks").GetInt64()));
        Assert.Equal(steps.Sum(s => s.GetProperty("deliveries").GetProperty("received").GetInt64()), points.Sum(p => p.GetProperty("deliveries").GetInt64()));
        var withDeliveries = points.Where(p => p.GetProperty("deliveries").GetInt64() > 0).ToList();
        Assert.NotEmpty(withDeliveries);
        Assert.All(withDeliveries, p => Assert.True(p.GetProperty("latencyP99").GetDouble() >= p.GetProperty("latencyP50").GetDouble()));
    }

    [Fact]
    public async Task AStepThatIsNotCleanEndsTheRunWhenAskedAndTheSummarySaysWhere()
    {
        // A p99 limit no delivery can meet: the first step is not clean, and the second never runs.
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "4", "--rooms", "1", "--rates", "1,2,4", "--duration", "1s", "--warmup", "0s", "--p99-limit", "0.000001", "--stop-when-unclean", "--bot-prefix", "knee");

        Assert.True(exitCode == 0, output.Text); // slow is not wrong: every delivery was still checked
        Assert.Single(report.GetProperty("steps").EnumerateArray());
        var summary = report.GetProperty("summary");
        Assert.True(summary.GetProperty("stoppedEarly").GetBoolean());
        Assert.Equal(1.0, summary.GetProperty("firstUncleanRate").GetDouble());
        Assert.False(summary.TryGetProperty("highestCleanRate", out _), output.Text); // no step was clean
    }

    [Fact]
    public async Task AWarmUpStepIsReportedButNeitherStopsTheRunNorCountsInTheSummary()
    {
        // Every step misses this limit: the warm-up (1) runs on, the first counted step (2) ends the run.
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "4", "--rooms", "1", "--rates", "1,2,4", "--warmup-steps", "1", "--duration", "1s", "--warmup", "0s",
            "--p99-limit", "0.000001", "--stop-when-unclean", "--bot-prefix", "warm");

        Assert.True(exitCode == 0, output.Text);
        Assert.Equal([1.0, 2.0], report.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("settings").GetProperty("rate").GetDouble()));
        var summary = report.GetProperty("summary");
        Assert.Equal(1, summary.GetProperty("warmupSteps").GetInt32());
        Assert.Equal(2.0, summary.GetProperty("firstUncleanRate").GetDouble());
        Assert.True(summary.GetProperty("stoppedEarly").GetBoolean());
        Assert.Contains("1/user/s: p99", output.Text, StringComparison.Ordinal);
        Assert.Contains("warm-up", output.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSimulationsRoomsAreDeletedAtTheEndUnlessKeepRoomsIsGiven()
    {
        var (exitCode, report, output) = await SimulateAsync(
            "--users", "4", "--rooms", "3", "--rate", "1", "--duration", "1s", "--warmup", "0s", "--bot-prefix", "tidy", "--room-prefix", "tidy");
        Assert.True(exitCode == 0, output.Text);
        Assert.Equal(3, report.GetProperty("cleanup").GetProperty("removed").GetInt32());
        Assert.DoesNotContain(await RoomNamesAsync(), n => n.StartsWith("tidy-", StringComparison.Ordinal));

        // The same bots again (they exist now, so they only log in), keeping the rooms this time.
        (exitCode, report, output) = await SimulateAsync(
            "--users", "4", "--rooms", "3", "--rate", "1", "--duration", "1s", "--warmup", "0s", "--bot-prefix", "tidy", "--room-prefix", "tidy", "--keep-rooms");
        Assert.True(exitCode == 0, output.Text);
        Assert.True(report.GetProperty("cleanup").GetProperty("kept").GetBoolean());
        Assert.Equal(["tidy-0", "tidy-1", "tidy-2"], (await RoomNamesAsync()).Where(n => n.StartsWith("tidy-", StringComparison.Ordinal)).Order());
    }

    private async Task<List<string>> RoomNamesAsync()
    {
        await using var watcher = await _server.ConnectAsync("watcher");
        return (await watcher.ListRoomsAsync(Cancel)).Select(r => r.Name).ToList();
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
