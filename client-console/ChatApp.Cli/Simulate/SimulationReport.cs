using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatApp.Cli.Simulate;

/// <summary>What a simulation found. Printed for people and written as JSON (<c>--json</c>) for machines.</summary>
public sealed record SimulationReport
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public required string Server { get; init; }

    public required ReportSettings Settings { get; init; }

    public required PhaseStats Login { get; init; }

    public required PhaseStats Connect { get; init; }

    public MessageStats? Messages { get; init; }

    public DeliveryStats? Deliveries { get; init; }

    /// <summary>Receive time minus intended send time, milliseconds, after the warm-up.</summary>
    public Distribution? Latency { get; init; }

    /// <summary>Ack time minus intended send time, milliseconds, after the warm-up.</summary>
    public Distribution? AckLatency { get; init; }

    public Throughput? Throughput { get; init; }

    public Comparison? Comparison { get; init; }

    /// <summary>With several servers: each one's bots, acks, deliveries and latency (by where the bot was connected).</summary>
    public IReadOnlyList<ServerStats>? PerServer { get; init; }

    /// <summary>What happened to the simulation's rooms at the end (single-step runs; a stepped run has it in its summary).</summary>
    public CleanupStats? Cleanup { get; init; }

    /// <summary>Why the run did not pass, besides missing, duplicated or out-of-order deliveries (e.g. a check that covered too little).</summary>
    public IReadOnlyList<string>? Problems { get; init; }

    public required IReadOnlyDictionary<string, int> Errors { get; init; }

    /// <summary>No delivery missing or duplicated (and, when comparing, every send acknowledged).</summary>
    public required bool Passed { get; init; }

    public string ToText()
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        var s = Settings;
        Line($"simulation against {Server}: {s.Users} users, {s.Rooms} rooms ({s.RoomsPerUser} per user), {F(s.Rate)} msg/user/s, {F(s.DurationSeconds)} s (+{F(s.WarmupSeconds)} s warm-up), {s.MessageSize}-char messages, jitter {F(s.Jitter)}, seed {s.Seed}, {s.Transport} + {s.Protocol}");
        Line($"  login      {Login.Succeeded}/{Login.Attempted} in {F(Login.ElapsedSeconds)} s   p50 {F(Login.Milliseconds.P50)} ms  p99 {F(Login.Milliseconds.P99)} ms");
        if (Connect.Attempted > 0)
        {
            Line($"  connect    {Connect.Succeeded}/{Connect.Attempted} in {F(Connect.ElapsedSeconds)} s   p50 {F(Connect.Milliseconds.P50)} ms  p99 {F(Connect.Milliseconds.P99)} ms  max {F(Connect.Milliseconds.Max)} ms");
        }

        if (Messages is { } m)
        {
            Line($"  messages   sent {m.Sent}  acknowledged {m.Acknowledged}  failed {m.Failed}");
        }

        if (Deliveries is { } d)
        {
            Line($"  deliveries expected {d.Expected}  received {d.Received}  missing {d.Missing}  duplicated {d.Duplicated}  out-of-order {d.OutOfOrder}  (unacked-but-seen {d.Unacknowledged}, other rooms {d.OtherRooms}, bots interrupted {d.InterruptedBots})");
            Line($"  checked    {d.CheckedBots} bots, every one of them; {d.CaughtUp} deliveries came through a catch-up after a reconnect");
        }

        if (Latency is { } l)
        {
            Line($"  latency    p50 {F(l.P50)} ms  p90 {F(l.P90)} ms  p99 {F(l.P99)} ms  max {F(l.Max)} ms  (mean {F(l.Mean)} ms, {l.Count} deliveries)");
        }

        if (AckLatency is { } a)
        {
            Line($"  ack        p50 {F(a.P50)} ms  p90 {F(a.P90)} ms  p99 {F(a.P99)} ms  max {F(a.Max)} ms");
        }

        if (Throughput is { } t)
        {
            Line($"  throughput {F(t.MessagesPerSecond)} msgs/s  {F(t.DeliveriesPerSecond)} deliveries/s  over {F(t.Seconds)} s");
        }

        foreach (var server in PerServer ?? [])
        {
            Line($"  server     {server.Server}: {server.Bots} bots dealt, {server.ConnectedAtEnd} there at the end, {server.MovedHere} moved in; acked {server.Acknowledged}  received {server.Received}  missing {server.Missing}  p50 {F(server.Latency.P50)} ms  p99 {F(server.Latency.P99)} ms");
        }

        if (Comparison is { } c)
        {
            Line($"  {"",-12}{"sequential",14}{"concurrent",14}");
            Line($"  {"elapsed s",-12}{F(c.Sequential.ElapsedSeconds),14}{F(c.Concurrent.ElapsedSeconds),14}");
            Line($"  {"messages",-12}{c.Sequential.Acknowledged,14}{c.Concurrent.Acknowledged,14}");
            Line($"  {"msgs/s",-12}{F(c.Sequential.MessagesPerSecond),14}{F(c.Concurrent.MessagesPerSecond),14}");
            Line($"  {"ack p50 ms",-12}{F(c.Sequential.AckMilliseconds.P50),14}{F(c.Concurrent.AckMilliseconds.P50),14}");
            Line($"  {"ack p99 ms",-12}{F(c.Sequential.AckMilliseconds.P99),14}{F(c.Concurrent.AckMilliseconds.P99),14}");
            Line($"  concurrent is {F(c.Speedup)}x faster: while one user waits for the disk, the server serves the others");
        }

        if (Cleanup is { } cleanup)
        {
            Line($"  rooms      {cleanup.Describe()}");
        }

        foreach (var problem in Problems ?? [])
        {
            Line($"  problem    {problem}");
        }

        Line(Errors.Count == 0 ? "  errors     none" : "  errors     " + string.Join("; ", Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Value} x {e.Key}")));
        Line(Passed ? "  result     PASS" : "  result     FAIL");
        return text.ToString();
    }

    internal static string F(double value) => double.IsFinite(value) ? value.ToString(value >= 100 ? "F0" : "0.##", CultureInfo.InvariantCulture) : "-";
}

public sealed record ReportSettings(int Users, int Rooms, int RoomsPerUser, double Rate, double DurationSeconds, double WarmupSeconds, int MessageSize, double Jitter, int Seed, string Transport, string Protocol);

public sealed record PhaseStats(int Attempted, int Succeeded, double ElapsedSeconds, Distribution Milliseconds);

public sealed record MessageStats(long Sent, long Acknowledged, long Failed);

public sealed record DeliveryStats(
    long Expected,
    long Received,
    long Missing,
    long Duplicated,
    long OutOfOrder,
    long Unacknowledged,
    long OtherRooms,
    int InterruptedBots)
{
    /// <summary>Deliveries that came through <c>StreamMessagesSince</c> after a reconnect rather than live.</summary>
    public long CaughtUp { get; init; }

    /// <summary>Bots whose deliveries were checked: every bot of the run, or the run does not pass.</summary>
    public int CheckedBots { get; init; }
}

/// <param name="ConnectedAtEnd">Bots connected to this server when the step ended.</param>
/// <param name="MovedHere">New connections opened here by bots that lost theirs (so far in the run).</param>
public sealed record ServerStats(string Server, int Bots, int ConnectedAtEnd, int MovedHere, long Acknowledged, long Received, long Missing, Distribution Latency);

/// <param name="Kept">True with <c>--keep-rooms</c>: nothing was removed.</param>
public sealed record CleanupStats(bool Kept, int Removed, IReadOnlyList<string> NotRemoved)
{
    public string Describe() => Kept
        ? "kept (--keep-rooms)"
        : $"{Removed} removed" + (NotRemoved.Count > 0 ? $"; not removed: {string.Join("; ", NotRemoved)}" : "");
}

public sealed record Throughput(double MessagesPerSecond, double DeliveriesPerSecond, double Seconds);

public sealed record ComparisonSide(int Users, long Acknowledged, long Failed, double ElapsedSeconds, double MessagesPerSecond, Distribution AckMilliseconds);

public sealed record Comparison(int MessagesPerUser, ComparisonSide Sequential, ComparisonSide Concurrent, double Speedup);

/// <summary>Percentiles by nearest rank, in milliseconds.</summary>
public sealed record Distribution(long Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static readonly Distribution Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static Distribution FromMilliseconds(List<double> values)
    {
        if (values.Count == 0)
        {
            return Empty;
        }

        values.Sort();
        return new(values.Count, Rank(values, 0.50), Rank(values, 0.90), Rank(values, 0.99), values[^1], values.Average());
    }

    public static Distribution FromMicroseconds(List<int> values)
    {
        if (values.Count == 0)
        {
            return Empty;
        }

        values.Sort();
        double Ms(int us) => us / 1000.0;
        double RankMs(double p) => Ms(values[Math.Clamp((int)Math.Ceiling(p * values.Count) - 1, 0, values.Count - 1)]);
        return new(values.Count, RankMs(0.50), RankMs(0.90), RankMs(0.99), Ms(values[^1]), values.Average(v => (double)v) / 1000.0);
    }

    private static double Rank(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
