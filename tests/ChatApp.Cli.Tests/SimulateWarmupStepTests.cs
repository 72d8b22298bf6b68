using System.Text.Json;

namespace ChatApp.Cli.Tests;

/// <summary><c>simulate --rates ... --warmup-steps N</c> against a real server in memory: the first steps warm up and do not decide the knee.</summary>
public sealed class SimulateWarmupStepTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private readonly ChatTestServer _server = new(limits: false);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task AWarmupStepThatIsNotCleanNeitherStopsTheRunNorCountsInTheSummary()
    {
        var json = Path.Combine(_server.Directory, "warmup-steps.json");
        var output = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();

        // A p99 limit no delivery can meet: without --warmup-steps the run would stop after the first step (rate 1).
        var exitCode = await CliApp.RunAsync(
            ["simulate", "--server", "http://localhost", "--json", json, "--users", "4", "--rooms", "1", "--rates", "1,2,4",
             "--warmup-steps", "1", "--duration", "1s", "--warmup", "0s", "--p99-limit", "0.000001", "--stop-when-unclean", "--bot-prefix", "warm"],
            _server.Environment(input, output, new RecordedOutput()), Cancel).WaitAsync(RunTimeout, Cancel);

        Assert.True(exitCode == 0, output.Text); // slow is not wrong: every delivery of every step was checked
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json, Cancel));
        var steps = report.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("settings").GetProperty("rate").GetDouble()).ToList();
        Assert.Equal([1.0, 2.0], steps); // the warm-up at 1, then the first measured step, which was not clean and ended the run
        var summary = report.RootElement.GetProperty("summary");
        Assert.Equal(2.0, summary.GetProperty("firstUncleanRate").GetDouble());
        Assert.True(summary.GetProperty("stoppedEarly").GetBoolean());
    }

    [Fact]
    public async Task WarmupStepsThatLeaveNothingToMeasureAreRefused()
    {
        var output = new RecordedOutput();
        var error = new RecordedOutput();
        var input = new TypedInput();
        input.EndInput();

        var exitCode = await CliApp.RunAsync(["simulate", "--server", "http://localhost", "--rates", "1,2", "--warmup-steps", "2"],
            _server.Environment(input, output, error), Cancel).WaitAsync(RunTimeout, Cancel);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--warmup-steps", output.Text + error.Text);
    }
}
