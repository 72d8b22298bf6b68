using System.Diagnostics;
using System.Diagnostics.Metrics;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Hosting;
using ChatApp.Server.Messages;
using ChatApp.Server.Rooms;

namespace ChatApp.Bench.WriterBench;

/// <param name="CpuMicrosecondsPerMessage">
/// The process's CPU time (writer and callers) per committed message: unlike msgs/s, it hardly moves when other
/// processes share the cores, so before/after comparisons on a busy machine read it first.
/// </param>
/// <param name="JitMsInTimedPart">What the JIT compiled in the timed part (wall time of its compilations): near 0 when the warm-up did its job.</param>
/// <param name="BytesAllocatedPerMessage">Managed bytes the process allocated per committed message (writer and callers): not moved by neighbours at all.</param>
public sealed record WriterResult(string Mode, int MaxBatchSize, long Committed, long Failed, double Seconds, double MessagesPerSecond,
    double AckP50Ms, double AckP99Ms, long Batches, double MeanBatch, double MeanCommitMs, double CpuMicrosecondsPerMessage, double BytesAllocatedPerMessage,
    double JitMsInTimedPart);

/// <summary>One mode: a fresh database, the server's own data and messaging services, no Kestrel and no hub connections.</summary>
public static class WriterRun
{

    public static async Task<WriterResult> RunAsync(string mode, int maxBatch, WriterSettings settings)
    {
        var folder = Directory.CreateTempSubdirectory("chatapp-writerbench-");
        try
        {
            // The users, rooms and joins are made with group commit in every mode: with one commit per message, 512 callers'
            // 5,110 joins alone took minutes. The measured host then opens the same file with the mode's batch size.
            ChatUser[] users;
            string[] rooms;
            using (var setUp = BuildHost(folder.FullName, maxBatch: 256))
            {
                await setUp.StartAsync();
                (users, rooms) = await SetUpAsync(settings, setUp.Services.GetRequiredService<DatabaseWriter>());
                if (!settings.Search)
                {
                    await DropSearchTriggerAsync(setUp.Services);
                }

                await setUp.StopAsync();
            }

            using var host = BuildHost(folder.FullName, maxBatch);
            await host.StartAsync();
            try
            {
                return await MeasureAsync(mode, maxBatch, settings, host.Services.GetRequiredService<DatabaseWriter>(), users, rooms);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The server's own data services (migrations, pragmas, the writer) on a database in <paramref name="folder"/>.</summary>
    internal static IHost BuildHost(string folder, int maxBatch)
    {
        // The content root is an empty folder beside the database: a host watches its content root (for appsettings.json)
        // recursively, and a database inside it woke the file-watcher thread on every WAL write (3.5% of a profile's samples).
        var root = Directory.CreateDirectory(Path.Combine(folder, "root")).FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DatabasePath"] = DatabasePath(folder),
            ["Storage:KeysPath"] = Path.Combine(folder, "keys"),
            ["Writer:MaxBatchSize"] = maxBatch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Error", // failures are counted; the key-storage warning is noise here
        });
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<ChatMetrics>();
        builder.AddChatData();
        // The writer alone: what a commit hands to the live side is dropped, so no SignalR is measured.
        builder.Services.AddSingleton<ICommittedEffects, DroppedEffects>();
        return builder.Build();
    }

    internal static string DatabasePath(string folder) => Path.Combine(folder, "chat.db");

    private static async Task DropSearchTriggerAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ChatDbContext>>().CreateDbContextAsync();
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "DROP TRIGGER LogEntries_Search_Insert");
    }

    /// <summary>One user per caller, every user in every room (so the membership check is a real lookup).</summary>
    private static async Task<(ChatUser[] Users, string[] Rooms)> SetUpAsync(WriterSettings settings, DatabaseWriter writer)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = deadline.Token;
        var now = DateTimeOffset.UtcNow;
        var users = new ChatUser[settings.Callers];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = await writer.SubmitAsync(new RegisterUser($"writer{i:D4}", "not-a-real-hash", now), ct);
        }

        var rooms = Enumerable.Range(0, settings.Rooms).Select(r => $"writer-{r}").ToArray();
        foreach (var room in rooms)
        {
            await writer.SubmitAsync(new CreateRoom(users[0], room, isPrivate: false, now), ct);
            await Task.WhenAll(users.Skip(1).Select(u => writer.SubmitAsync(new JoinRoom(u, room, now), ct)));
        }

        return (users, rooms);
    }

    private static async Task<WriterResult> MeasureAsync(string mode, int maxBatch, WriterSettings settings, DatabaseWriter writer, ChatUser[] users, string[] rooms)
    {
        // One generous bound for the whole mode: on a busy machine the warm-up alone may take a minute.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(settings.Seconds));
        var ct = deadline.Token;

        var text = new string('x', 48);
        var warmed = 0;
        var warm = false;
        var warmUp = Enumerable.Range(0, users.Length).Select(async caller =>
        {
            // Sent and committed but not timed.
            while (!Volatile.Read(ref warm))
            {
                var n = Interlocked.Increment(ref warmed);
                await writer.SubmitAsync(new AppendMessage(users[caller], rooms[n % rooms.Length], text, $"w{n}", DateTimeOffset.UtcNow), ct);
            }
        }).ToList();
        await WaitForTheJitAsync(settings.WarmupSeconds, ct);
        Volatile.Write(ref warm, true);
        await Task.WhenAll(warmUp);

        var next = 0;
        var latencies = new List<double>[users.Length];
        long failed = 0;
        using var batches = new BatchListener();
        var started = 0L;
        var cpuAtStart = 0L;
        var allocatedAtStart = 0L;
        var jitAtStart = 0L;
        var stopAt = 0L;
        async Task CallerAsync(int caller)
        {
            latencies[caller] = [];
            int index;
            while ((index = Interlocked.Increment(ref next)) <= settings.Messages)
            {
                if (index == 1)
                {
                    Volatile.Write(ref started, Stopwatch.GetTimestamp());
                    Volatile.Write(ref cpuAtStart, Environment.CpuUsage.TotalTime.Ticks);
                    Volatile.Write(ref allocatedAtStart, GC.GetTotalAllocatedBytes(precise: true));
                    Volatile.Write(ref jitAtStart, System.Runtime.JitInfo.GetCompilationTime().Ticks);
                    batches.Reset();
                    Volatile.Write(ref stopAt, Stopwatch.GetTimestamp() + (settings.Seconds * Stopwatch.Frequency));
                    Console.WriteLine("   timed part started"); // for a profiler attached from outside: samples after this line are the steady state
                }

                var stop = Volatile.Read(ref stopAt);
                if (stop != 0 && Stopwatch.GetTimestamp() > stop)
                {
                    return;
                }

                var t = Stopwatch.GetTimestamp();
                try
                {
                    await writer.SubmitAsync(new AppendMessage(users[caller], rooms[index % rooms.Length], text, $"m{index}", DateTimeOffset.UtcNow), ct);
                    latencies[caller].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, users.Length).Select(CallerAsync));
        var seconds = Stopwatch.GetElapsedTime(Volatile.Read(ref started)).TotalSeconds;
        var cpu = TimeSpan.FromTicks(Environment.CpuUsage.TotalTime.Ticks - Volatile.Read(ref cpuAtStart));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - Volatile.Read(ref allocatedAtStart);
        var jit = System.Runtime.JitInfo.GetCompilationTime() - TimeSpan.FromTicks(Volatile.Read(ref jitAtStart));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        var (count, sum, commitSeconds) = batches.Totals();
        return new WriterResult(mode, maxBatch, all.Length, failed, seconds, all.Length / seconds, Percentile(0.5), Percentile(0.99),
            count, count == 0 ? 0 : (double)sum / count, count == 0 ? 0 : commitSeconds * 1000 / count,
            all.Length == 0 ? double.NaN : cpu.TotalMicroseconds / all.Length, all.Length == 0 ? double.NaN : (double)allocated / all.Length, jit.TotalMilliseconds);
    }

    /// <summary>
    /// The warm-up: at least <paramref name="seconds"/>, then until the JIT has spent under 20 ms in a second (at most a
    /// minute more). Tiered compilation recompiles thousands of methods (the set-up's and EF's too) on one thread: at 64
    /// callers, after 6 s of warm-up on a busy machine, it still took half of a profile's samples for 10 s, which the CPU
    /// per message counted as the writer's.
    /// </summary>
    private static async Task WaitForTheJitAsync(int seconds, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
        var giveUp = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        var last = System.Runtime.JitInfo.GetCompilationTime();
        while (Stopwatch.GetTimestamp() < giveUp)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var now = System.Runtime.JitInfo.GetCompilationTime();
            if (now - last < TimeSpan.FromMilliseconds(20))
            {
                return;
            }

            last = now;
        }
    }

    /// <summary>Reads the writer's own batch-size and commit-duration instruments while the timed part runs.</summary>
    private sealed class BatchListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count, _sum, _commitTicks;

        public BatchListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ChatMetrics.MeterName && instrument.Name is "chatapp.writer.batch.size" or "chatapp.writer.commit.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, size, _, _) =>
            {
                Interlocked.Increment(ref _count);
                Interlocked.Add(ref _sum, size);
            });
            _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => Interlocked.Add(ref _commitTicks, (long)(seconds * TimeSpan.TicksPerSecond)));
            _listener.Start();
        }

        public void Reset()
        {
            Interlocked.Exchange(ref _count, 0);
            Interlocked.Exchange(ref _sum, 0);
            Interlocked.Exchange(ref _commitTicks, 0);
        }

        public (long Count, long Sum, double CommitSeconds) Totals() =>
            (Interlocked.Read(ref _count), Interlocked.Read(ref _sum), (double)Interlocked.Read(ref _commitTicks) / TimeSpan.TicksPerSecond);

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>Takes the committed effects the fan-out would send, and drops them.</summary>
internal sealed class DroppedEffects : ICommittedEffects
{
    public void Publish(IReadOnlyList<object> effects)
    {
    }
}
