using System.Text;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// A stepped run (<c>--rates</c>): one <see cref="SimulationReport"/> per step, the same shape as a single run's,
/// and a summary: which steps were clean and the highest clean rate.
/// </summary>
public sealed record SteppedReport(IReadOnlyList<SimulationReport> Steps, StepSummary Summary, CleanupStats? Cleanup)
{
    /// <summary>Every step passed the delivery check (a step above the p99 limit is slow, not wrong).</summary>
    public bool Passed => Steps.Count > 0 && Steps.All(s => s.Passed);

    public string ToText()
    {
        var text = new StringBuilder();
        text.Append("steps      ").AppendJoin("; ", Steps.Select((s, i) =>
            $"{SimulationReport.F(s.Settings.Rate)}/user/s: p99 {SimulationReport.F(s.Latency?.P99 ?? double.NaN)} ms, "
            + (i < Summary.WarmupSteps ? "warm-up" : IsClean(s, Summary.P99LimitMs) ? "clean" : "not clean"))).Append('\n');
        text.Append("highest clean rate ").Append(Summary.HighestCleanRate is { } best ? $"{SimulationReport.F(best)} msgs/user/s" : "none")
            .Append(Summary.FirstUncleanRate is null ? " (clean at every step: at least that)" : $", first not clean {SimulationReport.F(Summary.FirstUncleanRate.Value)}")
            .Append(Summary.StoppedEarly ? "; stopped there" : "").Append('\n');
        if (Cleanup is { } cleanup)
        {
            text.Append("rooms      ").Append(cleanup.Describe()).Append('\n');
        }

        text.Append(Passed ? "result     PASS (every step's delivery check)\n" : "result     FAIL\n");
        return text.ToString();
    }

    /// <summary>Clean: the check passed, no send failed, nothing missing, and p99 within the limit (when there is one).</summary>
    public static bool IsClean(SimulationReport step, double? p99Limit) =>
        step.Passed && (step.Messages?.Failed ?? 1) == 0 && (step.Deliveries?.Missing ?? 1) == 0
        && (p99Limit is not { } limit || (step.Latency?.P99 is { } p99 && double.IsFinite(p99) && p99 <= limit));

    /// <summary>The highest clean and first unclean rate, leaving out the first <paramref name="warmupSteps"/> steps.</summary>
    public static StepSummary Summarize(IReadOnlyList<SimulationReport> steps, double? p99Limit, bool stoppedEarly, int warmupSteps = 0)
    {
        var counted = steps.Skip(warmupSteps).ToList();
        var clean = counted.Where(s => IsClean(s, p99Limit)).Select(s => s.Settings.Rate).ToList();
        var unclean = counted.Where(s => !IsClean(s, p99Limit)).Select(s => s.Settings.Rate).ToList();
        return new StepSummary(p99Limit, clean.Count > 0 ? clean.Max() : null, unclean.Count > 0 ? unclean.Min() : null, stoppedEarly, warmupSteps);
    }
}

/// <param name="P99LimitMs">The limit a clean step's p99 stays within; null when none was given.</param>
/// <param name="FirstUncleanRate">Null when every step was clean: the highest clean rate is then only a lower bound.</param>
/// <param name="WarmupSteps">How many of the first steps were warm-up only, left out of the rates above.</param>
public sealed record StepSummary(double? P99LimitMs, double? HighestCleanRate, double? FirstUncleanRate, bool StoppedEarly, int WarmupSteps = 0);
