using System.Diagnostics;
using ChatApp.Client;

namespace ChatApp.Cli.Simulate;

/// <summary>What a simulation produced: one report per step (one step unless <c>--rates</c>), and what became of its rooms.</summary>
public sealed record SimulationOutcome(IReadOnlyList<SimulationReport> Steps, CleanupStats? Cleanup, bool StoppedEarly);

/// <summary>
/// Runs the bots through the phases: log in, connect and join, then for each rate a step (send open-loop,
/// drain, check) with the same connected bots, then stop and remove the rooms. Every phase is bounded in
/// time; the check compares, per room, the seqs acked to anyone with the seqs each member saw, live or
/// caught up after a reconnect (<see cref="DeliveryCheck"/>).
/// </summary>
public sealed class Simulation(CliEnvironment env, SimulationOptions options)
{
    private static readonly TimeSpan LoginTimeout = TimeSpan.FromSeconds(120);
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(5);

    private readonly SimulationRun _run = new(options);
    private readonly SimulationRooms _rooms = new(env, options);
    private ProgressPrinter _progress = null!; // made first thing in RunAsync, which knows how many bots there are

    /// <summary>Acks and deliveries per second of the run (for <c>--html</c>).</summary>
    public RunTimeline Timeline => _run.Timeline;

    public async Task<SimulationOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var bots = Enumerable.Range(0, options.Users).Select(i => new Bot(i, options.BotName(i), options.RoomsOf(i), _run)).ToArray();
        _progress = new ProgressPrinter(env, _run, bots.Length);
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = _progress.RunAsync(stopProgress.Token);
        // Kept for the whole run: bots refresh their access tokens through them when they reconnect.
        var clients = options.Servers.Select(s => env.CreateHttpClient(s, options.LoginConcurrency)).ToArray();
        try
        {
            var logins = new BotLogins(clients.Select(c => new ChatAccounts(c)).ToArray(), options.Password);
            var login = await LoginAllAsync(bots, logins, cancellationToken);
            var ready = bots.Where(b => b.Tokens is not null).ToArray();
            if (ready.Length == 0)
            {
                return new([Report(login, EmptyPhase(0), options.StepRates[0], passed: false) with { Problems = ["no bot could log in"] }], null, false);
            }

            _progress.Phase = "rooms";
            await _rooms.EnsureAsync(ready[0], cancellationToken);

            if (options.CompareSequential)
            {
                var comparison = await new SequentialComparison(env, options, _run, _progress).RunAsync(ready, cancellationToken);
                var ok = comparison.Sequential.Failed == 0 && comparison.Concurrent.Failed == 0 && comparison.Concurrent.Acknowledged > 0;
                var cleanup = await RemoveRoomsAsync(ready[0], cancellationToken);
                return new([Report(login, EmptyPhase(0), options.Rate, passed: ok) with { Comparison = comparison }], cleanup, false); // connects are inside each side's time
            }

            return await SimulateAsync(bots, ready, login, cancellationToken);
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progress;
            await Task.WhenAll(bots.Select(b => b.DisposeAsync().AsTask()));
            foreach (var bot in bots)
            {
                bot.Tokens?.Dispose();
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private async Task<SimulationOutcome> SimulateAsync(Bot[] bots, Bot[] ready, PhaseStats login, CancellationToken cancellationToken)
    {
        _progress.Begin("connect", () => (_run.Connected, ready.Length));
        var connect = await ConnectAllAsync(ready, cancellationToken);
        var connected = ready.Where(b => b.Connection is { State: Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected }).ToArray();

        if (options.Idle)
        {
            // Nothing sent: the connections only sit there, so whoever watches the server can weigh them.
            _progress.BeginTimed("idle", options.Warmup + options.Duration);
            await Task.Delay(options.Warmup + options.Duration, cancellationToken);
            await StopAllAsync(connected, cancellationToken);
            var idleCleanup = await RemoveRoomsAsync(ready[0], cancellationToken);
            var idle = Report(login, connect, options.Rate, passed: connected.Length == bots.Length && _run.ErrorCount == 0) with { Cleanup = idleCleanup };
            return new([idle], idleCleanup, false);
        }

        var steps = new List<SimulationReport>();
        var allAcked = new Dictionary<string, HashSet<long>>(StringComparer.OrdinalIgnoreCase);
        var stoppedEarly = false;
        var rates = options.StepRates;
        for (var i = 0; i < rates.Count; i++)
        {
            var step = await RunStepAsync(bots, connected, i, rates[i], login, connect, allAcked, cancellationToken);
            steps.Add(step);
            if (options.Rates.Count > 0)
            {
                await env.Out.WriteAsync(step.ToText().AsMemory(), cancellationToken); // as it comes: a stepped run is long
            }

            if (options.StopWhenUnclean && i >= options.WarmupSteps && i + 1 < rates.Count && !SteppedReport.IsClean(step, options.P99LimitMilliseconds))
            {
                stoppedEarly = true;
                break;
            }
        }

        await StopAllAsync(connected, cancellationToken);
        var cleanup = await RemoveRoomsAsync(ready[0], cancellationToken);
        if (options.Rates.Count == 0)
        {
            steps[0] = steps[0] with { Cleanup = cleanup };
        }

        return new(steps, cleanup, stoppedEarly);
    }

    /// <summary>One step: send at <paramref name="rate"/> for the warm-up and the duration, drain, and check what this step sent.</summary>
    private async Task<SimulationReport> RunStepAsync(Bot[] bots, Bot[] connected, int index, double rate, PhaseStats login, PhaseStats connect,
        Dictionary<string, HashSet<long>> allAcked, CancellationToken cancellationToken)
    {
        foreach (var bot in bots)
        {
            bot.Records.BeginStep();
        }

        var before = _run.Snapshot();
        _run.TakeStepErrors(); // the errors from here on are this step's (the first step also keeps the login's and connect's)
        var name = options.Rates.Count > 0 ? $"send {index + 1}/{options.Rates.Count}" : "send";
        _progress.BeginTimed(name, options.Warmup + options.Duration);

        // Each bot on its own schedule; the hard deadline stops sends that would outlive the drain.
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + (frequency / 10);
        _run.MeasureFrom = start + (long)(options.Warmup.TotalSeconds * frequency);
        _run.Timeline.BeginStep(index, rate, start);
        var end = _run.MeasureFrom + (long)(options.Duration.TotalSeconds * frequency);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Warmup + options.Duration + options.DrainTimeout + TimeSpan.FromSeconds(5));
        try
        {
            await Task.WhenAll(connected.Select(b => b.SendLoopAsync(rate, index, start, end, deadline.Token)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _run.CountError("send loop overran the deadline");
        }

        // Drain: acks still in flight, deliveries and catch-ups still on their way. Bounded; what never arrives is missing.
        _progress.BeginTimed("drain", options.DrainTimeout);
        var drainUntil = Stopwatch.GetTimestamp() + (long)(options.DrainTimeout.TotalSeconds * frequency);
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50)))
        {
            while ((_run.InFlight > 0 || _run.CatchingUp > 0 || _run.Delivered < _run.ExpectedDeliveries) && Stopwatch.GetTimestamp() < drainUntil)
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
        }

        if (_run.InFlight > 0)
        {
            _run.CountError("ack not received before the drain timeout");
        }

        await deadline.CancelAsync(); // sends still unanswered fail now, and count as failed...
        // ...each on its own continuation: wait (bounded) until they have, or the check would read a failure as "not yet".
        var settleUntil = Stopwatch.GetTimestamp() + (long)(SettleTimeout.TotalSeconds * frequency);
        while (_run.InFlight > 0 && Stopwatch.GetTimestamp() < settleUntil)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        _progress.Phase = "check";
        var observed = bots.Select(b =>
        {
            var (step, seen) = b.Records.EndStep();
            return (b, step, seen);
        }).ToArray();
        var report = Report(login, connect, rate, passed: false) with
        {
            Errors = new SortedDictionary<string, int>(_run.TakeStepErrors().ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal),
        };
        return DeliveryCheck.Apply(report, observed, allAcked, _run, start, before);
    }

    private async Task StopAllAsync(Bot[] connected, CancellationToken cancellationToken)
    {
        _progress.Begin("stop", null);
        await ForEachBoundedAsync(connected, options.ConnectConcurrency, async (bot, ct) =>
        {
            // Leaving is moot when the rooms are deleted next; with --keep-rooms it keeps later runs from fanning out to these bots.
            if (options.LeaveRoomsAtEnd && options.KeepRooms && bot.Connection is { State: Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected } connection)
            {
                foreach (var room in bot.Rooms)
                {
                    await connection.LeaveRoomAsync(options.RoomName(room), ct);
                }
            }

            await bot.StopAsync(ct);
        }, StopTimeout, "stop", cancellationToken);
    }

    private async Task<CleanupStats> RemoveRoomsAsync(Bot owner, CancellationToken cancellationToken)
    {
        _progress.Begin("rooms", null);
        return await _rooms.RemoveAsync(owner, cancellationToken);
    }

    /// <summary>Logs every bot in (registering it the first time) with bounded concurrency: hashing a password costs the server real CPU.</summary>
    private async Task<PhaseStats> LoginAllAsync(Bot[] bots, BotLogins logins, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        var started = Stopwatch.GetTimestamp();
        _progress.Begin("login", () => (_progress.LoggedInCount, bots.Length));
        await ForEachBoundedAsync(bots, options.LoginConcurrency, async (bot, ct) =>
        {
            var t = Stopwatch.GetTimestamp();
            bot.Tokens = new ChatTokens(logins.RefreshFor(bot), await logins.LoginAsync(bot, ct));
            var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            lock (times)
            {
                times.Add(ms);
            }

            _progress.LoggedIn();
        }, LoginTimeout, "login", cancellationToken);
        return new PhaseStats(bots.Length, times.Count, Stopwatch.GetElapsedTime(started).TotalSeconds, Distribution.FromMilliseconds(times));
    }

    private async Task<PhaseStats> ConnectAllAsync(Bot[] bots, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await ForEachBoundedAsync(bots, options.ConnectConcurrency, async (bot, ct) =>
        {
            await bot.ConnectAsync(env, ct);
            await bot.JoinRoomsAsync(ct);
            _run.BotConnected(bot);
        }, ConnectTimeout, "connect", cancellationToken);
        var times = bots.Where(b => b.Records.Following).Select(b => b.ConnectMilliseconds).ToList();
        return new PhaseStats(bots.Length, _run.Connected, Stopwatch.GetElapsedTime(started).TotalSeconds, Distribution.FromMilliseconds(times));
    }

    /// <summary>Runs <paramref name="body"/> for each bot, at most <paramref name="limit"/> at once, each bounded in time; failures are counted, not thrown.</summary>
    private async Task ForEachBoundedAsync(Bot[] bots, int limit, Func<Bot, CancellationToken, Task> body, TimeSpan timeoutEach, string what, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = limit, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(bots, parallel, async (bot, ct) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(timeoutEach);
            try
            {
                await body(bot, timeout.Token);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                _run.CountError($"{what}: {SimulationRun.Describe(ex)}");
            }
        });
    }

    private static PhaseStats EmptyPhase(int attempted) => new(attempted, 0, 0, Distribution.Empty);

    private SimulationReport Report(PhaseStats login, PhaseStats connect, double rate, bool passed) => new()
    {
        Server = string.Join(",", options.Servers),
        Settings = new ReportSettings(options.Users, options.Rooms, Math.Min(options.RoomsPerUser, options.Rooms), rate,
            options.Duration.TotalSeconds, options.Warmup.TotalSeconds, options.MessageSize, options.Jitter, options.Seed,
            options.Transport.ToLowerInvariant(), options.Protocol.ToString().ToLowerInvariant()),
        Login = login,
        Connect = connect,
        Errors = new SortedDictionary<string, int>(_run.Errors.ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal),
        Passed = passed,
    };
}
