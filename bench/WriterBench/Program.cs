using System.Globalization;
using System.Text.Json;
using ChatApp.Bench.WriterBench;

// The writer alone: many concurrent callers submit AppendMessage to DatabaseWriter on a real SQLite file
// (synchronous=FULL, as the server runs it), once with group commit and once with one commit per message.
// A plain timed run after a warm-up, not BenchmarkDotNet: each mode is one long measurement, bounded in
// messages and in time. Usage: WriterBench [--messages N] [--callers C] [--rooms R] [--seconds S] [--search on|off] [--warmup S] [--mode both|group-commit|commit-per-message|sqlite|bound] [--json FILE]
var settings = WriterSettings.Parse(args);
if (settings is null)
{
    await Console.Error.WriteLineAsync("usage: WriterBench [--messages N] [--callers C] [--rooms R] [--seconds S] [--search on|off] [--warmup S] [--mode both|group-commit|commit-per-message|sqlite|bound] [--json FILE]");
    return 2;
}

if (settings.Modes == "sqlite")
{
    return await SqliteCeilingReport.RunAsync(settings);
}

if (settings.Modes == "bound")
{
    return await WriterBound.RunAsync(settings);
}

var results = new List<WriterResult>();
foreach (var (mode, maxBatch) in new[] { ("group-commit", 256), ("commit-per-message", 1) })
{
    if (settings.Modes != "both" && settings.Modes != mode)
    {
        continue;
    }

    Console.WriteLine($"== {mode} (Writer:MaxBatchSize={maxBatch}): {settings.Messages} messages from {settings.Callers} callers over {settings.Rooms} rooms, at most {settings.Seconds} s{(settings.Search ? "" : ", search trigger dropped")}");
    var result = await WriterRun.RunAsync(mode, maxBatch, settings);
    results.Add(result);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"   {result.Committed} committed in {result.Seconds:F2} s = {result.MessagesPerSecond:F0} msgs/s; ack p50 {result.AckP50Ms:F1} ms, p99 {result.AckP99Ms:F1} ms; {result.Batches} batches, mean batch {result.MeanBatch:F1}, mean commit {result.MeanCommitMs:F2} ms; CPU {result.CpuMicrosecondsPerMessage:F0} µs/msg, {result.BytesAllocatedPerMessage:F0} bytes allocated/msg; JIT {result.JitMsInTimedPart:F0} ms; failed {result.Failed}"));
}

double? ratio = results.Count == 2 ? results[0].MessagesPerSecond / results[1].MessagesPerSecond : null;
if (ratio is not null)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== group commit / one commit per message: {ratio:F1}x"));
}

if (settings.Json is { } json)
{
    await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { settings.Messages, settings.Callers, settings.Rooms, settings.Search, Results = results, Ratio = ratio },
        new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
}

return results.All(r => r.Failed == 0 && r.Committed > 0) ? 0 : 1;
