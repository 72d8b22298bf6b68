using System.Diagnostics;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// <c>--compare-sequential</c>: the same bots served one after another, then all at once, to show what
/// overlapping the waits buys.
/// </summary>
internal sealed class SequentialComparison(CliEnvironment env, SimulationOptions options, SimulationRun run, ProgressPrinter progress)
{
    /// <summary>
    /// The teaching demo: the same bots served one after another (connect, send each message and wait for
    /// its ack, disconnect), then all at once. Same work, same server; only the waiting overlaps.
    /// </summary>
    public async Task<Comparison> RunAsync(Bot[] bots, CancellationToken cancellationToken)
    {
        var perUser = Math.Max(1, (int)Math.Round(options.Rate * options.Duration.TotalSeconds));

        progress.Phase = "sequential";
        var sequential = new ServeTally();
        var started = Stopwatch.GetTimestamp();
        foreach (var bot in bots)
        {
            await ServeAsync(bot, perUser, sequential, cancellationToken);
        }

        var sequentialSide = sequential.Side(bots.Length, Stopwatch.GetElapsedTime(started).TotalSeconds);

        progress.Phase = "concurrent";
        var concurrent = new ServeTally();
        using var connecting = new SemaphoreSlim(options.ConnectConcurrency);
        started = Stopwatch.GetTimestamp();
        await Task.WhenAll(bots.Select(bot => ServeAsync(bot, perUser, concurrent, cancellationToken, connecting)));
        var concurrentSide = concurrent.Side(bots.Length, Stopwatch.GetElapsedTime(started).TotalSeconds);

        return new Comparison(perUser, sequentialSide, concurrentSide, sequentialSide.ElapsedSeconds / concurrentSide.ElapsedSeconds);
    }

    private async Task ServeAsync(Bot bot, int messages, ServeTally tally, CancellationToken cancellationToken, SemaphoreSlim? connecting = null)
    {
        await using var connection = env.CreateConnection(options.Server, bot.Tokens!.Provider, options.Connection()); // only ready bots serve
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Simulation.ConnectTimeout + TimeSpan.FromSeconds(messages));
        try
        {
            if (connecting is not null)
            {
                await connecting.WaitAsync(timeout.Token);
            }

            try
            {
                await connection.StartAsync(timeout.Token);
                foreach (var room in bot.Rooms)
                {
                    await connection.JoinRoomAsync(options.RoomName(room), timeout.Token);
                }
            }
            finally
            {
                connecting?.Release();
            }

            for (var i = 0; i < messages; i++)
            {
                var id = $"{run.RunId}.{bot.Index}.{i}.{Stopwatch.GetTimestamp()}";
                var t = Stopwatch.GetTimestamp();
                await connection.SendMessageAsync(options.RoomName(bot.Rooms[i % bot.Rooms.Length]), run.TextFor(id), id, timeout.Token);
                tally.Acked(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                run.MessageStarted();
                run.MessageAcked("");
            }

            await connection.StopAsync(timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            tally.Failed();
            run.CountError(ex);
        }
    }

    private sealed class ServeTally
    {
        private readonly List<double> _ackTimes = [];
        private long _failed;

        public void Acked(double milliseconds)
        {
            lock (_ackTimes)
            {
                _ackTimes.Add(milliseconds);
            }
        }

        public void Failed() => Interlocked.Increment(ref _failed);

        public ComparisonSide Side(int users, double seconds) =>
            new(users, _ackTimes.Count, _failed, seconds, _ackTimes.Count / seconds, Distribution.FromMilliseconds(_ackTimes));
    }
}
