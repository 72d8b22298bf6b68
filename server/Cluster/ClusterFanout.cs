using System.Threading.Channels;
using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Hosting;
using ChatApp.Server.Live;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Cluster;

/// <summary>
/// The live fan-out of a cluster node. The writer's committed effects go to Redis for the other nodes and,
/// directly, into this node's own ordered stream; what other nodes publish comes in from Redis. One loop
/// puts each room's entries and group changes in seq order (<see cref="RoomSequencer"/>), fills gaps from
/// the database, and sends to this node's own connections only.
/// </summary>
public sealed partial class ClusterFanout(
    RoomSequencer sequencer,
    LocalRooms rooms,
    ConnectionRegistry registry,
    LiveHub hub,
    IClusterLog log,
    ClusterBus bus,
    ChatMetrics metrics,
    IOptions<ClusterOptions> options,
    ILogger<ClusterFanout> logger) : BackgroundService, ICommittedEffects
{
    private readonly Channel<Func<CancellationToken, Task>> _work =
        Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });

    private readonly List<SequencerStep> _steps = [];
    private readonly Dictionary<string, long> _marks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _joining = new(StringComparer.Ordinal);

    /// <summary>Called by the writer after each commit, in commit order; never blocks it.</summary>
    public void Publish(IReadOnlyList<object> effects)
    {
        bus.Publish(effects);
        Accept(effects);
    }

    /// <summary>Effects another node published (or this node's, if the bus hands them back), in any order.</summary>
    public void Accept(IReadOnlyList<object> effects)
    {
        // The same series as one node's broadcaster: here a queued send is a batch of effects waiting for the loop.
        metrics.SendQueued();
        _work.Writer.TryWrite(async cancellationToken =>
        {
            metrics.SendsStarted(1);
            await RunAsync(effects, cancellationToken);
        });
    }

    /// <summary>Compares the rooms served here with the database at once (after a Redis reconnect, say).</summary>
    public void CheckTails() => _work.Writer.TryWrite(CheckTailsAsync);

    /// <summary>
    /// After the subscription was lost: entries missed meanwhile are found by the tail check, but a missed group
    /// change can only be found in the stored membership. A connection left in a room its user no longer belongs
    /// to (removed while this node was deaf) is taken out, before anything else is delivered.
    /// </summary>
    public void Resync()
    {
        _work.Writer.TryWrite(RemoveStaleMembersAsync);
        _work.Writer.TryWrite(CheckTailsAsync);
    }

    private async Task RemoveStaleMembersAsync(CancellationToken cancellationToken)
    {
        var local = rooms.Memberships();
        if (local.Count == 0)
        {
            return;
        }

        var stored = await log.MembersAsync([.. local.Select(m => (m.Room, m.UserId)).Distinct()], cancellationToken);
        foreach (var (room, connection, userId) in local.Where(m => !stored.Contains((m.Room, m.UserId))))
        {
            LogStaleMember(logger, room, userId);
            Apply(new GroupChange(room, Join: false, ConnectionId: connection));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bus.Received = Accept;
        bus.Restored = Resync;
        var ticks = TickAsync(stoppingToken);
        await foreach (var work in _work.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await work(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A failed database read leaves the gap open: it is asked for again at the next timeout.
                LogWorkFailed(logger, ex);
            }
        }

        await ticks;
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        var gapTick = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.GapTimeoutMilliseconds / 2));
        var tailEvery = TimeSpan.FromSeconds(options.Value.TailCheckSeconds);
        var sinceTail = TimeSpan.Zero;
        using var timer = new PeriodicTimer(gapTick);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                _work.Writer.TryWrite(FillGapsAsync);
                sinceTail += gapTick;
                if (sinceTail >= tailEvery)
                {
                    sinceTail = TimeSpan.Zero;
                    _work.Writer.TryWrite(CheckTailsAsync);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RunAsync(IReadOnlyList<object> effects, CancellationToken cancellationToken)
    {
        _steps.Clear();
        _marks.Clear();
        _joining.Clear();
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case MemberVersionMark mark:
                    _marks[mark.Room] = mark.MemberVersion;
                    break;
                case ChatMessage entry:
                    sequencer.Accept(entry, _marks.TryGetValue(entry.Room, out var version) ? version : null, _steps, Served(entry.Room));
                    break;
                case GroupChange change:
                    sequencer.Accept(change, _steps, Served(change.Room));
                    NoteJoining(change);
                    break;
            }
        }

        await RunStepsAsync(cancellationToken);
    }

    // The steps run after the whole batch is accepted: a room a join of this batch brings someone here into counts as served already.
    private bool Served(string room) => _joining.Contains(room) || rooms.IsServed(room);

    private void NoteJoining(GroupChange change)
    {
        if (change.Join && Targets(change).Count > 0)
        {
            _joining.Add(change.Room);
        }
    }

    private async Task FillGapsAsync(CancellationToken cancellationToken)
    {
        foreach (var gap in sequencer.DueGaps())
        {
            // Changes first: an entry read here carries no member version, so the changes placed before it must be known.
            var changes = await log.ChangesAsync(gap.Room, gap.AfterVersion, gap.UpToVersion, gap.UpToSeq, cancellationToken);
            var entries = gap.UpToSeq > gap.AfterSeq ? await log.EntriesAsync(gap.Room, gap.AfterSeq, gap.UpToSeq, cancellationToken) : [];
            LogGapFilled(logger, gap.Room, gap.AfterSeq, gap.UpToSeq, entries.Count, changes.Count);
            _steps.Clear();
            _joining.Clear();
            foreach (var change in changes)
            {
                sequencer.Accept(change, _steps, Served(change.Room));
                NoteJoining(change);
            }

            foreach (var entry in entries)
            {
                sequencer.Accept(entry, null, _steps, Served(entry.Room));
            }

            await RunStepsAsync(cancellationToken);
        }
    }

    private async Task CheckTailsAsync(CancellationToken cancellationToken)
    {
        var served = rooms.Rooms();
        if (served.Count == 0)
        {
            return;
        }

        foreach (var (room, (lastSeq, memberVersion)) in await log.LastSeqsAsync(served, cancellationToken))
        {
            sequencer.NoteCommitted(room, lastSeq, memberVersion);
        }
    }

    private async Task RunStepsAsync(CancellationToken cancellationToken)
    {
        // Copied: a late join reads the database, and the list is reused by whatever runs next.
        foreach (var step in _steps.ToList())
        {
            switch (step)
            {
                case DeliverStep deliver:
                    foreach (var connection in rooms.ConnectionsIn(deliver.Entry.Room))
                    {
                        Started(hub.Clients.Client(connection).DeliverEntry(deliver.Entry));
                    }

                    metrics.DeliveriesStarted(1); // one per entry and room, as a group send counts on one node

                    break;
                case ApplyStep apply:
                    Apply(apply.Change);
                    break;
                case LateChangeStep late:
                    await ApplyLateAsync(late, cancellationToken);
                    break;
            }
        }
    }

    // Started in order, not awaited: SignalR keeps each connection's writes in order, and one slow connection only delays itself.
    private void Started(Task sending)
    {
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending);
        }
    }

    private async Task ObserveAsync(Task sending)
    {
        try
        {
            await sending;
        }
        catch (Exception ex)
        {
            metrics.SendFailed();
            LogSendFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Filled {Room} ({After}, {UpTo}] from the database: {Count} entries, {Changes} membership changes")]
    private static partial void LogGapFilled(ILogger logger, string room, long after, long upTo, int count, int changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} is no longer a member of {Room}: a removal was missed while Redis was unreachable; applied now")]
    private static partial void LogStaleMember(ILogger logger, string room, long userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster fan-out failed a step; it is retried at the next gap check")]
    private static partial void LogWorkFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A live send failed for some connection")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}
