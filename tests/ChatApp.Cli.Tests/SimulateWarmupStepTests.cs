namespace ChatApp.Cli.Tests;

/// <summary><c>simulate --rates ... --warmup-steps N</c> against a real server in memory: warm-up steps must leave a step to measure (SimulateTests checks that a warm-up step neither stops the run nor counts).</summary>
public sealed class SimulateWarmupStepTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private readonly ChatTestServer _server = new(limits: false);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

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
