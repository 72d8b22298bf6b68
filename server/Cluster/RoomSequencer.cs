using ChatApp.Contracts;
using ChatApp.Server.Live;

namespace ChatApp.Server.Cluster;

/// <summary>
/// Puts one node's view of each room in the room's order: its entries by seq, its membership changes by member version
/// (<see cref="GroupChange.Version"/>), each change between entry <see cref="GroupChange.AtSeq"/> and the next. Entries
/// and changes arrive from Redis in any order, some twice, some never. Each room keeps the last seq delivered and the
/// last version applied here: the next entry goes out once every change committed before it (its member version says
/// how many) is applied; the next change is applied once its place is reached; anything at or below what was done is a
/// duplicate. What stays missing longer than the gap timeout is reported by <see cref="DueGaps"/> for the caller to read
/// from the database. So on every node a removed member gets the entries up to the removal and none after, and a new
/// member every entry after the join, whichever nodes sent them.
/// Not thread-safe: one loop owns it.
/// </summary>
public sealed partial class RoomSequencer(TimeProvider clock, TimeSpan gapTimeout)
{
    private readonly Dictionary<string, RoomState> _rooms = new(StringComparer.Ordinal);

    public long Duplicates { get; private set; }

    /// <summary>Changes that became due after entries following their place had gone out. Cannot happen: such entries wait for them. Counted so tests can say so.</summary>
    public long MisplacedChanges { get; private set; }

    /// <summary>The seq delivered last in <paramref name="room"/> on this node, or null before anything arrived.</summary>
    public long? Delivered(string room) => _rooms.TryGetValue(room, out var state) ? state.Delivered : null;

    /// <summary>The member version applied last in <paramref name="room"/> on this node, or null before anything arrived.</summary>
    public long? Version(string room) => _rooms.TryGetValue(room, out var state) ? state.Version : null;

    /// <summary>The rooms this node has a place for.</summary>
    public IReadOnlyCollection<string> Rooms => _rooms.Keys;

    /// <param name="memberVersion">The room's member version at the entry's commit; null for an entry read from the
    /// database by a gap fill, which reads the changes placed before it too.</param>
    /// <param name="served">Whether a connection of this node is in the room. When none is and no join is waiting,
    /// the room's place just moves on: nothing is held and no gap is read for a room nobody here receives.</param>
    public void Accept(ChatMessage entry, long? memberVersion, List<SequencerStep> steps, bool served = true)
    {
        // A room first heard of through an entry has no connection of this node in it (a join would have come first
        // and set the start), so starting just before this entry loses nobody anything.
        var state = StateOf(entry.Room, entry.Seq - 1, memberVersion ?? 0);
        if (!served && state.NothingWaiting)
        {
            MoveOn(state, entry.Seq, memberVersion ?? state.Version);
            return;
        }

        if (entry.Seq <= state.Delivered || !state.Held.TryAdd(entry.Seq, new HeldEntry(entry, memberVersion)))
        {
            Duplicates++;
            return;
        }

        state.KnownVersion = Math.Max(state.KnownVersion, memberVersion ?? 0);
        Drain(state, steps);
    }

    /// <param name="served">As for entries: whether a connection of this node is in the room.</param>
    public void Accept(GroupChange change, List<SequencerStep> steps, bool served = true)
    {
        if (change is not { AtSeq: { } at, Version: { } version })
        {
            steps.Add(new ApplyStep(change)); // not placed: applied on arrival
            return;
        }

        if (change.ConnectionId is not null)
        {
            AcceptConnectionJoin(change, at, version, steps, served);
            return;
        }

        // First heard of: no connection of this node is in the room, so nothing before this change concerns it.
        var state = StateOf(change.Room, at, version - 1);
        if (version <= state.Version)
        {
            if (version <= state.Start)
            {
                // Older than where this node started following the room: not seen, and the user may have changed since.
                steps.Add(new LateChangeStep(change, version - 1, state.Version, state.Delivered));
            }
            else
            {
                Duplicates++;
            }

            return;
        }

        if (!served && state.NothingWaiting)
        {
            // Nobody here is in the room: what came before this change concerns nobody here, and it applies now.
            MoveOn(state, at, version - 1);
            state.Version = Math.Max(state.Version, version);
            state.KnownVersion = Math.Max(state.KnownVersion, version);
            steps.Add(new ApplyStep(change));
            Drain(state, steps);
            return;
        }

        if (!state.Pending.TryAdd(version, change))
        {
            Duplicates++;
            return;
        }

        // The change's transaction saw entries up to its place and changes up to its version committed: they exist.
        state.KnownCommitted = Math.Max(state.KnownCommitted, at);
        state.KnownVersion = Math.Max(state.KnownVersion, version);
        Drain(state, steps);
    }

    /// <summary>The database says the room's log reaches <paramref name="lastSeq"/> and its changes <paramref name="memberVersion"/>; a publish that never came opens a gap.</summary>
    public void NoteCommitted(string room, long lastSeq, long memberVersion)
    {
        if (_rooms.TryGetValue(room, out var state))
        {
            state.KnownCommitted = Math.Max(state.KnownCommitted, lastSeq);
            state.KnownVersion = Math.Max(state.KnownVersion, memberVersion);
            MarkGap(state);
        }
    }

    /// <summary>Gaps open longer than the timeout: read each from the database, then accept its changes and then its entries.</summary>
    public List<RoomGap> DueGaps()
    {
        var due = new List<RoomGap>();
        var now = clock.GetUtcNow();
        foreach (var (room, state) in _rooms)
        {
            if (state.GapSince is { } since && now - since >= gapTimeout)
            {
                var upTo = Math.Max(state.KnownCommitted, state.Held.Count > 0 ? state.Held.Keys[^1] : 0);
                due.Add(new RoomGap(room, state.Delivered, upTo, state.Version, state.KnownVersion));
                // Asked for once per timeout: a fill that finds nothing (not visible yet) is retried later.
                state.GapSince = now;
            }
        }

        return due;
    }

    // A connection's join is placed at the (last seq, member version) its memberships were read at, in one snapshot.
    private void AcceptConnectionJoin(GroupChange join, long at, long version, List<SequencerStep> steps, bool served)
    {
        if (!_rooms.TryGetValue(join.Room, out var state))
        {
            _rooms[join.Room] = NewState(at, version);
            steps.Add(new ApplyStep(join));
            return;
        }

        if (at < state.Delivered || version < state.Version)
        {
            steps.Add(new LateChangeStep(join, version, state.Version, state.Delivered));
            return;
        }

        if (!served && state.NothingWaiting)
        {
            MoveOn(state, at, version);
            steps.Add(new ApplyStep(join));
            Drain(state, steps);
            return;
        }

        state.Waiting.Add(join);
        state.KnownCommitted = Math.Max(state.KnownCommitted, at);
        state.KnownVersion = Math.Max(state.KnownVersion, version);
        Drain(state, steps);
    }

    private RoomState StateOf(string room, long delivered, long version)
    {
        if (!_rooms.TryGetValue(room, out var state))
        {
            _rooms[room] = state = NewState(delivered, version);
        }

        return state;
    }

    private static RoomState NewState(long delivered, long version) => new()
    {
        Delivered = delivered,
        KnownCommitted = delivered,
        Version = version,
        KnownVersion = version,
        Start = version,
    };

    /// <summary>
    /// A room nobody here is in jumps to a later place: what it skips goes to nobody here, and a change it skips that
    /// turns out to concern someone here is late (see <see cref="LateChangeStep"/>).
    /// </summary>
    private static void MoveOn(RoomState state, long seq, long version)
    {
        // Places in one room's order compare the same way by seq and by version, so the larger pair is one real place.
        state.Delivered = Math.Max(state.Delivered, Math.Max(seq, state.KnownCommitted));
        var moved = Math.Max(version, state.KnownVersion);
        if (moved > state.Version)
        {
            state.Version = moved;
            state.Start = moved;
        }

        state.KnownCommitted = state.Delivered;
        state.KnownVersion = state.Version;
        state.Held.Clear();
        state.GapSince = null;
    }

    private void Drain(RoomState state, List<SequencerStep> steps)
    {
        while (true)
        {
            if (state.Pending.TryGetValue(state.Version + 1, out var change) && change.AtSeq <= state.Delivered)
            {
                if (change.AtSeq < state.Delivered)
                {
                    MisplacedChanges++;
                }

                state.Pending.Remove(state.Version + 1);
                state.Version++;
                steps.Add(new ApplyStep(change));
                continue;
            }

            if (state.Waiting.Count > 0 && ApplyDueJoins(state, steps))
            {
                continue;
            }

            if (state.Held.TryGetValue(state.Delivered + 1, out var next) && (next.MemberVersion ?? 0) <= state.Version)
            {
                state.Held.Remove(state.Delivered + 1);
                state.Delivered++;
                steps.Add(new DeliverStep(next.Entry));
                continue;
            }

            break;
        }

        state.KnownCommitted = Math.Max(state.KnownCommitted, state.Delivered);
        state.KnownVersion = Math.Max(state.KnownVersion, state.Version);
        MarkGap(state);
    }

    // A connection's join goes in exactly at its place: this runs after every step. Joins at one place keep their arrival order.
    private static bool ApplyDueJoins(RoomState state, List<SequencerStep> steps)
    {
        var applied = false;
        for (var i = 0; i < state.Waiting.Count;)
        {
            var join = state.Waiting[i];
            if (join.AtSeq <= state.Delivered && join.Version <= state.Version)
            {
                state.Waiting.RemoveAt(i);
                steps.Add(new ApplyStep(join));
                applied = true;
            }
            else
            {
                i++;
            }
        }

        return applied;
    }

    private void MarkGap(RoomState state)
    {
        var open = state.Held.Count > 0 || state.KnownCommitted > state.Delivered || state.KnownVersion > state.Version;
        state.GapSince = open ? state.GapSince ?? clock.GetUtcNow() : null;
    }

    private readonly record struct HeldEntry(ChatMessage Entry, long? MemberVersion);
}
