using System.Diagnostics;
using ChatApp.Client;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// Runs the bots through the phases: log in, connect and join, send open-loop, drain, leave, check.
/// Every phase is bounded in time; the check compares, per room, the seqs acked to anyone with the seqs
/// each member connected throughout actually saw (<see cref="DeliveryCheck"/>).
/// </summary>
public sealed class Simulation(CliEnvironment env, SimulationOptions options)
{
    private static readonly TimeSpan LoginTimeout = TimeSpan.FromSeconds(120);
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly SimulationRun _run = new(options);
    private ProgressPrinter _progress = null!; // made first thing in RunAsync, which knows how many bots there are

    public async Task<SimulationReport> RunAsync(CancellationToken cancellationToken)
    {
        var bots = Enumerable.Range(0, options.Users).Select(i => new Bot(i, options.BotName(i), options.RoomsOf(i), _run)).ToArray();
        _progress = new ProgressPrinter(env, _run, bots.Length);
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = _progress.RunAsync(stopProgress.Token);
        try
        {
            // Kept for the whole run: bots refresh their access tokens through it when they reconnect.
            using var http = env.CreateHttpClient(options.Server, options.LoginConcurrency);
            var login = await LoginAllAsync(bots, new ChatAccounts(http), cancellationToken);
            var ready = bots.Where(b => b.Tokens is not null).ToArray();
            if (ready.Length == 0)
            {
                return Report(login, EmptyPhase(0), passed: false);
            }

            _progress.Phase = "rooms";
            await EnsureRoomsAsync(ready[0], cancellationToken);

            if (options.CompareSequential)
            {
                var comparison = await new SequentialComparison(env, options, _run, _progress).RunAsync(ready, cancellationToken);
                var ok = comparison.Sequential.Failed == 0 && comparison.Concurrent.Failed == 0 && comparison.Concurrent.Acknowledged > 0;
                return Report(login, EmptyPhase(0), passed: ok) with { Comparison = comparison }; // connects are inside each side's time
            }

            return await SimulateAsync(bots, ready, login, cancellationToken);
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progress;
            await Task.WhenAll(bots.Select(b => b.DisposeConnectionAsync().AsTask()));
            foreach (var bot in bots)
            {
                bot.Tokens?.Dispose();
            }
        }
    }

    private async Task<SimulationReport> SimulateAsync(Bot[] bots, Bot[] ready, PhaseStats login, CancellationToken cancellationToken)
    {
        _progress.Phase = "connect";
        var connect = await ConnectAllAsync(ready, cancellationToken);
        var connected = ready.Where(b => b.Connection is { State: Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected }).ToArray();

        if (options.Idle)
        {
            // Nothing sent: the connections only sit there, so whoever watches the server can weigh them.
            _progress.Phase = "idle";
            await Task.Delay(options.Warmup + options.Duration, cancellationToken);
            _progress.Phase = "stop";
            await ForEachBoundedAsync(connected, options.ConnectConcurrency, (bot, ct) => bot.StopAsync(ct), StopTimeout, "stop", cancellationToken);
            return Report(login, connect, passed: connected.Length == bots.Length && _run.ErrorCount == 0);
        }

        // Send phase: each bot on its own schedule; the hard deadline stops sends that would outlive the drain.
        _progress.Phase = "send";
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + (frequency / 10);
        _run.MeasureFrom = start + (long)(options.Warmup.TotalSeconds * frequency);
        var end = _run.MeasureFrom + (long)(options.Duration.TotalSeconds * frequency);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Warmup + options.Duration + options.DrainTimeout + TimeSpan.FromSeconds(5));
        try
        {
            await Task.WhenAll(connected.Select(b => b.SendLoopAsync(start, end, deadline.Token)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _run.CountError("send loop overran the deadline");
        }

        // Drain: acks still in flight, deliveries still on their way. Bounded; what never arrives is missing.
        _progress.Phase = "drain";
        var drainUntil = Stopwatch.GetTimestamp() + (long)(options.DrainTimeout.TotalSeconds * frequency);
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50)))
        {
            while ((_run.InFlight > 0 || _run.Delivered < _run.ExpectedDeliveries) && Stopwatch.GetTimestamp() < drainUntil)
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
        }

        if (_run.InFlight > 0)
        {
            _run.CountError("ack not received before the drain timeout");
        }

        await deadline.CancelAsync(); // sends still unanswered fail now, and count as failed

        _progress.Phase = "stop";
        await ForEachBoundedAsync(connected, options.ConnectConcurrency, async (bot, ct) =>
        {
            if (options.LeaveRoomsAtEnd)
            {
                foreach (var room in bot.Rooms)
                {
                    await bot.Connection!.LeaveRoomAsync(options.RoomName(room), ct); // connected bots only
                }
            }

            await bot.StopAsync(ct);
        }, StopTimeout, "stop", cancellationToken);

        _progress.Phase = "check";
        return DeliveryCheck.Apply(Report(login, connect, passed: false), bots, _run, start);
    }

    /// <summary>Logs every bot in (registering it the first time) with bounded concurrency: hashing a password costs the server real CPU.</summary>
    private async Task<PhaseStats> LoginAllAsync(Bot[] bots, ChatAccounts accounts, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        var started = Stopwatch.GetTimestamp();
        await ForEachBoundedAsync(bots, options.LoginConcurrency, async (bot, ct) =>
        {
            var t = Stopwatch.GetTimestamp();
            bot.Tokens = new ChatTokens(accounts, await accounts.LoginOrRegisterAsync(bot.Name, options.Password, ct));
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
        var times = bots.Where(b => b.Records.Count > 0).Select(b => b.ConnectMilliseconds).ToList();
        return new PhaseStats(bots.Length, _run.Connected, Stopwatch.GetElapsedTime(started).TotalSeconds, Distribution.FromMilliseconds(times));
    }

    /// <summary>Creates the simulation's rooms that do not exist yet. The creator leaves the ones it is not assigned to, so it gets no extra traffic.</summary>
    private async Task EnsureRoomsAsync(Bot creator, CancellationToken cancellationToken)
    {
        await using var connection = env.CreateConnection(options.Server, creator.Tokens!.Provider, options.Connection()); // ready bots have tokens
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        await connection.StartAsync(timeout.Token);
        var existing = (await connection.ListRoomsAsync(timeout.Token)).Select(r => r.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Rooms; i++)
        {
            var name = options.RoomName(i);
            if (existing.Contains(name))
            {
                continue;
            }

            try
            {
                await connection.CreateRoomAsync(name, isPrivate: false, timeout.Token);
                if (!creator.Rooms.Contains(i))
                {
                    await connection.LeaveRoomAsync(name, timeout.Token);
                }
            }
            catch (HubException)
            {
                // Created meanwhile by another run; joining it works the same.
            }
        }

        await connection.StopAsync(timeout.Token);
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

    private SimulationReport Report(PhaseStats login, PhaseStats connect, bool passed) => new()
    {
        Server = options.Server.ToString(),
        Settings = new ReportSettings(options.Users, options.Rooms, Math.Min(options.RoomsPerUser, options.Rooms), options.Rate,
            options.Duration.TotalSeconds, options.Warmup.TotalSeconds, options.MessageSize, options.Jitter, options.Seed,
            options.Transport.ToLowerInvariant(), options.Protocol.ToString().ToLowerInvariant()),
        Login = login,
        Connect = connect,
        Errors = new SortedDictionary<string, int>(_run.Errors.ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal),
        Passed = passed,
    };
}
