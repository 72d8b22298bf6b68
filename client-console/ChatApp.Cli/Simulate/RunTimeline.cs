using System.Diagnostics;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// Acks and deliveries per second of the run, with each delivery's latency, for the <c>--html</c> report's charts.
/// Fed where the report's own figures are gathered (<see cref="BotRecords"/>), so the series add up to the report's totals.
/// </summary>
/// <remarks>
/// One lock for all bots: the work under it is an increment and a list append, far shorter than the hub call that
/// precedes each one. Seconds count from the first step's start; a stepped run's seconds go on across its steps.
/// </remarks>
public sealed class RunTimeline
{
    private readonly Lock _gate = new();
    private readonly List<Second> _seconds = [];
    private readonly List<(int Second, int Step, double Rate)> _steps = [];
    private long _origin = long.MinValue;

    /// <summary>A step starts sending at <paramref name="start"/> (a Stopwatch timestamp): the first one fixes second 0.</summary>
    public void BeginStep(int step, double rate, long start)
    {
        lock (_gate)
        {
            if (_origin == long.MinValue)
            {
                _origin = start;
            }

            _steps.Add((SecondOf(start), step, rate));
        }
    }

    public void Acked(long at)
    {
        lock (_gate)
        {
            if (At(at) is { } second)
            {
                second.Acks++;
            }
        }
    }

    public void Delivered(long at, int latencyMicroseconds)
    {
        lock (_gate)
        {
            if (At(at) is { } second)
            {
                second.Deliveries++;
                second.LatenciesMicroseconds.Add(latencyMicroseconds);
            }
        }
    }

    /// <summary>One point per second from 0 to the last second anything happened in, each with the step it belongs to.</summary>
    public IReadOnlyList<TimelinePoint> Points()
    {
        lock (_gate)
        {
            return _seconds.Select((second, i) =>
            {
                var latency = Distribution.FromMicroseconds([.. second.LatenciesMicroseconds]);
                var step = _steps.LastOrDefault(s => s.Second <= i, _steps.Count > 0 ? _steps[0] : (0, 0, 0));
                return new TimelinePoint(i, step.Step, step.Rate, second.Acks, second.Deliveries,
                    latency.Count == 0 ? null : latency.P50, latency.Count == 0 ? null : latency.P99);
            }).ToList();
        }
    }

    private int SecondOf(long timestamp) => (int)Math.Max(0, (timestamp - _origin) / Stopwatch.Frequency);

    /// <summary>Null before the first step (nothing is measured then).</summary>
    private Second? At(long timestamp)
    {
        if (_origin == long.MinValue)
        {
            return null;
        }

        var index = SecondOf(timestamp);
        while (_seconds.Count <= index)
        {
            _seconds.Add(new Second());
        }

        return _seconds[index];
    }

    private sealed class Second
    {
        public long Acks { get; set; }

        public long Deliveries { get; set; }

        public List<int> LatenciesMicroseconds { get; } = [];
    }
}

/// <summary>One second of the run: sends acknowledged and messages delivered in it, and the latency of those deliveries (ms; null when none).</summary>
public sealed record TimelinePoint(int Second, int Step, double Rate, long Acks, long Deliveries, double? LatencyP50, double? LatencyP99);
