using ChatApp.Contracts;
using ChatApp.Server.Live;

namespace ChatApp.Server.Cluster;

/// <summary>What the fan-out does next for a room, in this order.</summary>
public abstract record SequencerStep;

/// <summary>Send the entry to this node's connections in its room.</summary>
public sealed record DeliverStep(ChatMessage Entry) : SequencerStep;

/// <summary>Apply the group change now: its place in the log has been reached.</summary>
public sealed record ApplyStep(GroupChange Change) : SequencerStep;

/// <summary>
/// A join that arrived after this node had already delivered past its place: send the joining connections the
/// entries (<paramref name="After"/>, <paramref name="UpTo"/>] from the database first, then apply it.
/// </summary>
public sealed record LateJoinStep(GroupChange Change, long After, long UpTo) : SequencerStep;

/// <summary>
/// Puts one node's view of each room's log in seq order. Entries and group changes arrive from Redis in any
/// order, some twice (this node's own and their echo), some never (dropped while reconnecting). Each room keeps
/// the last seq delivered here: an entry just after it goes out, a later one is held, one at or below it is a
/// duplicate and dropped, and a gap that stays open longer than the gap timeout is reported by
/// <see cref="DueGaps"/> for the caller to fill from the database. A group change waits for its place
/// (<see cref="GroupChange.AtSeq"/>), so on every node a removed member gets entries up to it and none after.
/// Not thread-safe: one loop owns it.
/// </summary>
public sealed class RoomSequencer(TimeProvider clock, TimeSpan gapTimeout)
{
    private readonly Dictionary<string, RoomState> _rooms = new(StringComparer.Ordinal);

    public long Duplicates { get; private set; }

    public long LateLeaves { get; private set; }

    /// <summary>The seq delivered last in <paramref name="room"/> on this node, or null before anything arrived.</summary>
    public long? Delivered(string room) => _rooms.TryGetValue(room, out var state) ? state.Delivered : null;

    /// <summary>The rooms this node has a place for.</summary>
    public IReadOnlyCollection<string> Rooms => _rooms.Keys;

    /// <param name="served">Whether a connection of this node is in the room. When none is and no join is waiting,
    /// the room's place just moves on: nothing is held and no gap is read for a room nobody here receives.</param>
    public void Accept(ChatMessage entry, List<SequencerStep> steps, bool served = true)
    {
        // A room first heard of through an entry has no connection of this node in it (a local join would
        // have come first and set the start), so starting just before this entry loses nobody anything.
        var state = StateOf(entry.Room, entry.Seq - 1);
        if (!served && state.Pending.Count == 0)
        {
            state.Held.Clear();
            state.Delivered = Math.Max(state.Delivered, entry.Seq);
            state.KnownCommitted = Math.Max(state.KnownCommitted, state.Delivered);
            state.GapSince = null;
            return;
        }

        if (entry.Seq <= state.Delivered || !state.Held.TryAdd(entry.Seq, entry))
        {
            Duplicates++;
            return;
        }

        Drain(state, steps);
    }

    public void Accept(GroupChange change, List<SequencerStep> steps)
    {
        if (change.AtSeq is not { } at)
        {
            steps.Add(new ApplyStep(change));
            return;
        }

        var state = StateOf(change.Room, at);
        if (at == state.Delivered)
        {
            steps.Add(new ApplyStep(change));
        }
        else if (at < state.Delivered)
        {
            if (change.Join)
            {
                steps.Add(new LateJoinStep(change, at, state.Delivered));
            }
            else
            {
                // The entries after its place already went to the member: the best left is to stop now.
                LateLeaves++;
                steps.Add(new ApplyStep(change));
            }
        }
        else
        {
            state.Pending.Add(change);
            // The change's transaction saw entries up to its place committed: they exist, so a gap is open.
            Committed(state, at);
        }
    }

    /// <summary>The database says the room's log reaches <paramref name="lastSeq"/>; a publish that never came opens a gap.</summary>
    public void NoteCommitted(string room, long lastSeq)
    {
        if (_rooms.TryGetValue(room, out var state))
        {
            Committed(state, lastSeq);
        }
    }

    /// <summary>Gaps open longer than the timeout: read (After, UpTo] of each from the database and <see cref="Accept(ChatMessage, List{SequencerStep})"/> them.</summary>
    public List<(string Room, long After, long UpTo)> DueGaps()
    {
        var due = new List<(string, long, long)>();
        var now = clock.GetUtcNow();
        foreach (var (room, state) in _rooms)
        {
            if (state.GapSince is { } since && now - since >= gapTimeout)
            {
                var upTo = Math.Max(state.KnownCommitted, state.Held.Count > 0 ? state.Held.Keys[^1] : 0);
                due.Add((room, state.Delivered, upTo));
                // Asked for once per timeout: a fill that finds nothing (not visible yet) is retried later.
                state.GapSince = now;
            }
        }

        return due;
    }

    private RoomState StateOf(string room, long start)
    {
        if (!_rooms.TryGetValue(room, out var state))
        {
            _rooms[room] = state = new RoomState { Delivered = start, KnownCommitted = start };
        }

        return state;
    }

    private void Committed(RoomState state, long lastSeq)
    {
        if (lastSeq > state.KnownCommitted)
        {
            state.KnownCommitted = lastSeq;
        }

        MarkGap(state);
    }

    private void Drain(RoomState state, List<SequencerStep> steps)
    {
        while (true)
        {
            ApplyDueChanges(state, steps);
            if (!state.Held.Remove(state.Delivered + 1, out var next))
            {
                break;
            }

            state.Delivered++;
            steps.Add(new DeliverStep(next));
        }

        if (state.KnownCommitted < state.Delivered)
        {
            state.KnownCommitted = state.Delivered;
        }

        MarkGap(state);
    }

    private static void ApplyDueChanges(RoomState state, List<SequencerStep> steps)
    {
        if (state.Pending.Count == 0)
        {
            return;
        }

        // Changes at the same place keep their arrival order (a leave then a join stays that way).
        var due = state.Pending.Where(c => c.AtSeq <= state.Delivered).ToList();
        foreach (var change in due)
        {
            state.Pending.Remove(change);
            steps.Add(new ApplyStep(change));
        }
    }

    private void MarkGap(RoomState state)
    {
        var open = state.Held.Count > 0 || state.KnownCommitted > state.Delivered;
        state.GapSince = open ? state.GapSince ?? clock.GetUtcNow() : null;
    }

    private sealed class RoomState
    {
        public long Delivered { get; set; }

        public long KnownCommitted { get; set; }

        public SortedList<long, ChatMessage> Held { get; } = [];

        public List<GroupChange> Pending { get; } = [];

        public DateTimeOffset? GapSince { get; set; }
    }
}
