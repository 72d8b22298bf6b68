using System.Globalization;

namespace ChatApp.Bench.WriterBench;

/// <summary>How much to write; every run is bounded by both the message count and the time.</summary>
/// <param name="Search">Off drops the full-text index's insert trigger on the bench database, to measure what search costs a send.</param>
/// <param name="Modes">
/// "both" (the default), or only "group-commit" or "commit-per-message" (for a profile of one); "sqlite" runs
/// <see cref="SqliteCeiling"/> instead: SQLite alone, inserts only; "bound" runs <see cref="WriterBound"/>: every statement a
/// writer with ChatApp's guarantees must run, alone.
/// </param>
/// <param name="WarmupSeconds">At least how long every caller sends, untimed, before the timed part (then on until the JIT is quiet; group-commit and commit-per-message modes).</param>
public sealed record WriterSettings(int Messages, int Callers, int Rooms, int Seconds, string? Json, bool Search = true, string Modes = "both", int WarmupSeconds = 6)
{
    public static WriterSettings? Parse(string[] args)
    {
        var settings = new WriterSettings(Messages: 20_000, Callers: 64, Rooms: 10, Seconds: 60, Json: null);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            settings = args[i] switch
            {
                "--messages" => settings with { Messages = int.Parse(value, CultureInfo.InvariantCulture) },
                "--callers" => settings with { Callers = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rooms" => settings with { Rooms = int.Parse(value, CultureInfo.InvariantCulture) },
                "--seconds" => settings with { Seconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--json" => settings with { Json = value },
                "--warmup" => settings with { WarmupSeconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--mode" when value is "both" or "group-commit" or "commit-per-message" or "sqlite" or "bound" => settings with { Modes = value },
                "--search" when value is "on" or "off" => settings with { Search = value == "on" },
                _ => null,
            };
            if (settings is null)
            {
                return null;
            }
        }

        return args.Length % 2 == 0 && settings is { Messages: > 0 and <= 1_000_000, Callers: > 0 and <= 10_000, Rooms: > 0 and <= 1_000, Seconds: > 0 and <= 600, WarmupSeconds: >= 0 and <= 600 }
            ? settings
            : null;
    }
}
