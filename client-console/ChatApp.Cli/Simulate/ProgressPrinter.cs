using System.Diagnostics;
using System.Globalization;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// The progress line on stderr while a simulation runs: in place on a terminal (every 0.5 s), a new line
/// every 2 s when stderr is redirected. Each phase says how far it is: a counted phase (login, connect)
/// by how many bots are done, a timed one (a send step) by its clock, with a percentage and the time left.
/// </summary>
internal sealed class ProgressPrinter(CliEnvironment env, SimulationRun run, int users)
{
    private readonly Lock _gate = new();
    private int _loggedIn;
    private string _phase = "login";
    private long _phaseStarted = Stopwatch.GetTimestamp();
    private Func<(double Done, double Total)>? _measure;

    public string Phase
    {
        get
        {
            lock (_gate)
            {
                return _phase;
            }
        }

        set => Begin(value, null);
    }

    public int LoggedInCount => Volatile.Read(ref _loggedIn);

    public void LoggedIn() => Interlocked.Increment(ref _loggedIn);

    /// <summary>Starts a phase whose progress <paramref name="measure"/> reports (done, total); null for one without a measure.</summary>
    public void Begin(string phase, Func<(double Done, double Total)>? measure)
    {
        lock (_gate)
        {
            _phase = phase;
            _measure = measure;
            _phaseStarted = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>A phase that lasts <paramref name="length"/>: its progress is its clock.</summary>
    public void BeginTimed(string phase, TimeSpan length)
    {
        var started = Stopwatch.GetTimestamp();
        Begin(phase, () => (Math.Min(Stopwatch.GetElapsedTime(started).TotalSeconds, length.TotalSeconds), length.TotalSeconds));
    }

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
                var line = $"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:F1}s {Phase,-10}] {Completion()}logged in {LoggedInCount}/{users}  connected {run.Connected}  sent {run.Sent}  acked {run.Acked}  in flight {run.InFlight}  delivered {run.Delivered}/{run.ExpectedDeliveries}  catching up {run.CatchingUp}  errors {run.ErrorCount}";
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

    /// <summary>"[#####-----] 45%  12 s left  " for a phase with a measure; empty otherwise.</summary>
    private string Completion()
    {
        Func<(double Done, double Total)>? measure;
        long phaseStarted;
        lock (_gate)
        {
            measure = _measure;
            phaseStarted = _phaseStarted;
        }

        if (measure is null)
        {
            return "";
        }

        var (done, total) = measure();
        if (total <= 0)
        {
            return "";
        }

        var fraction = Math.Clamp(done / total, 0, 1);
        var bar = new string('#', (int)(fraction * 20)).PadRight(20, '-');
        var elapsed = Stopwatch.GetElapsedTime(phaseStarted).TotalSeconds;
        // The rate so far carries the rest: rough at first, honest once a few percent are done.
        var left = fraction > 0 ? elapsed * (1 - fraction) / fraction : double.NaN;
        var leftText = double.IsFinite(left) ? string.Create(CultureInfo.InvariantCulture, $"{left:F0} s left") : "time left unknown";
        return string.Create(CultureInfo.InvariantCulture, $"[{bar}] {fraction * 100,3:F0}%  {leftText}  ");
    }
}
