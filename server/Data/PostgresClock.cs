namespace ChatApp.Server.Data;

/// <summary>
/// The system clock cut to whole microseconds, used on PostgreSQL: <c>timestamptz</c> keeps microseconds,
/// .NET ticks are a tenth of that, so without it an ack would carry a <c>SentAt</c> that history, catch-up
/// and a retry's duplicate (all read back from the database) no longer match.
/// </summary>
internal sealed class PostgresClock(TimeProvider inner) : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = inner.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
