using System.Diagnostics;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// The progress line on stderr while a simulation runs: in place on a terminal (every 0.5 s), a new line
/// every 2 s when stderr is redirected. Phases report where they are through <see cref="Phase"/>.
/// </summary>
internal sealed class ProgressPrinter(CliEnvironment env, SimulationRun run, int users)
{
    private int _loggedIn;

    public string Phase { get; set; } = "login";

    public void LoggedIn() => Interlocked.Increment(ref _loggedIn);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var inPlace = env.ProgressInPlace;
        using var timer = new PeriodicTimer(inPlace ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(2));
        var started = Stopwatch.GetTimestamp();
        var lastLength = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var line = $"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1}s {Phase,-10}] logged in {Volatile.Read(ref _loggedIn)}/{users}  connected {run.Connected}  sent {run.Sent}  acked {run.Acked}  in flight {run.InFlight}  delivered {run.Delivered}/{run.ExpectedDeliveries}  errors {run.ErrorCount}";
                if (inPlace)
                {
                    await env.Error.WriteAsync("\r" + line.PadRight(lastLength));
                    lastLength = line.Length;
                }
                else
                {
                    await env.Error.WriteLineAsync(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }

        if (inPlace && lastLength > 0)
        {
            await env.Error.WriteLineAsync();
        }
    }
}
