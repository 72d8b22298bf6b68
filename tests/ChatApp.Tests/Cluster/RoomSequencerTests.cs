using ChatApp.Contracts;
using ChatApp.Server.Cluster;
using ChatApp.Server.Live;

namespace ChatApp.Tests.Cluster;

/// <summary>
/// The ordering layer of cluster mode alone, with a hand-moved clock: what each node does with entries and
/// group changes that Redis brings in any order, twice, or not at all.
/// </summary>
public sealed class RoomSequencerTests
{
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(250);

    private readonly ManualClock _clock = new();

    private RoomSequencer NewSequencer() => new(_clock, Gap);

    [Fact]
    public void EntriesThatArriveOutOfOrderAreDeliveredInSeqOrder()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "lobby", atSeq: 0, steps);

        foreach (var seq in new long[] { 2, 4, 1, 3, 5 })
        {
            Accept(sequencer, Entry("lobby", seq), steps);
        }

        Assert.Equal([1, 2, 3, 4, 5], Delivered(steps));
    }

    [Fact]
    public void AnEntryThatArrivesTwiceIsDeliveredOnce()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "lobby", atSeq: 0, steps);

        foreach (var seq in new long[] { 1, 2, 1, 3, 2, 3 })
        {
            Accept(sequencer, Entry("lobby", seq), steps);
        }

        Assert.Equal([1, 2, 3], Delivered(steps));
        Assert.Equal(3, sequencer.Duplicates);
    }

    [Fact]
    public void AGapIsAskedForOnlyAfterTheTimeoutAndFillingItReleasesWhatWasHeld()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "lobby", atSeq: 0, steps);
        Accept(sequencer, Entry("lobby", 1), steps);
        Accept(sequencer, Entry("lobby", 3), steps);
        Accept(sequencer, Entry("lobby", 4), steps);

        Assert.Empty(sequencer.DueGaps());
        _clock.Advance(Gap);
        Assert.Equal(new RoomGap("lobby", 1, 4, 0, 0), Assert.Single(sequencer.DueGaps()));

        // What the database returns for (1, 4]: the missing 2 and the 3 and 4 already held, without member versions.
        foreach (var seq in new long[] { 2, 3, 4 })
        {
            sequencer.Accept(Entry("lobby", seq), null, steps);
        }

        Assert.Equal([1, 2, 3, 4], Delivered(steps));
        _clock.Advance(Gap);
        Assert.Empty(sequencer.DueGaps());
    }

    [Fact]
    public void ALostLastEntryIsFoundThroughTheDatabaseTail()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "lobby", atSeq: 0, steps);
        Accept(sequencer, Entry("lobby", 1), steps);

        // Nothing follows the lost 2 on Redis; the periodic tail check sees the log reaches 2.
        sequencer.NoteCommitted("lobby", 2, 0);
        _clock.Advance(Gap);

        Assert.Equal(new RoomGap("lobby", 1, 2, 0, 0), Assert.Single(sequencer.DueGaps()));
    }

    [Fact]
    public void ALostLastChangeIsFoundThroughTheDatabaseTail()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "lobby", atSeq: 0, steps);

        sequencer.NoteCommitted("lobby", 0, 1);
        _clock.Advance(Gap);

        Assert.Equal(new RoomGap("lobby", 0, 0, 0, 1), Assert.Single(sequencer.DueGaps()));
    }

    [Fact]
    public void ARemovalWaitsForItsPlaceSoTheMemberGetsEverythingBeforeItAndNothingAfter()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "secret", atSeq: 0, steps);
        var removal = Change("secret", join: false, user: 7, atSeq: 2, version: 1);

        // The removal (after 2) arrives first, then 3 (sent after it), then 1 and 2 from a slower node.
        sequencer.Accept(removal, steps);
        Accept(sequencer, Entry("secret", 3), steps, memberVersion: 1);
        Accept(sequencer, Entry("secret", 1), steps);
        Accept(sequencer, Entry("secret", 2), steps);

        Assert.Equal(["deliver 1", "deliver 2", "leave v1@2", "deliver 3"], steps.Skip(1).Select(Describe));
    }

    [Fact]
    public void AnEntryFromAThirdNodeThatOvertakesARemovalWaitsForItSoTheRemovedMemberNeverGetsIt()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        JoinedWithThreeEntries(sequencer, steps);

        // Node A removed user 7 after entry 3 (version 2); node B then sent entry 4, whose publish reaches this node, C, first.
        Accept(sequencer, Entry("secret", 4), steps, memberVersion: 2);
        Assert.Empty(steps);
        sequencer.Accept(Change("secret", join: false, user: 7, atSeq: 3, version: 2), steps);

        Assert.Equal(["leave v2@3", "deliver 4"], steps.Select(Describe));
        Assert.Equal(0, sequencer.MisplacedChanges);
    }

    [Fact]
    public void AnEntryFromAThirdNodeThatOvertakesAJoinWaitsForItSoTheNewMemberGetsItLive()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        JoinedWithThreeEntries(sequencer, steps);

        Accept(sequencer, Entry("secret", 4), steps, memberVersion: 2);
        Assert.Empty(steps);
        sequencer.Accept(Change("secret", join: true, user: 9, atSeq: 3, version: 2), steps);

        Assert.Equal(["join v2@3", "deliver 4"], steps.Select(Describe));
    }

    [Fact]
    public void AChangeWhosePublishWasLostIsReadFromTheTableAfterTheTimeoutAndAppliedInItsPlace()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        JoinedWithThreeEntries(sequencer, steps);
        Accept(sequencer, Entry("secret", 4), steps, memberVersion: 2);
        Accept(sequencer, Entry("secret", 5), steps, memberVersion: 2);

        Assert.Empty(sequencer.DueGaps());
        _clock.Advance(Gap);
        var gap = Assert.Single(sequencer.DueGaps());
        Assert.Equal(new RoomGap("secret", 3, 5, 1, 2), gap);

        // What RoomMemberChanges holds for it: version 2, the removal after entry 3.
        sequencer.Accept(Change("secret", join: false, user: 7, atSeq: 3, version: 2), steps);
        Assert.Equal(["leave v2@3", "deliver 4", "deliver 5"], steps.Select(Describe));
        _clock.Advance(Gap);
        Assert.Empty(sequencer.DueGaps());
    }

    [Fact]
    public void AChangeThatArrivesTwiceIsAppliedOnce()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        JoinedWithThreeEntries(sequencer, steps);
        var removal = Change("secret", join: false, user: 7, atSeq: 3, version: 2);

        sequencer.Accept(removal, steps);
        sequencer.Accept(removal, steps);
        Accept(sequencer, Entry("secret", 4), steps, memberVersion: 2);
        sequencer.Accept(removal, steps);

        Assert.Equal(["leave v2@3", "deliver 4"], steps.Select(Describe));
        Assert.Equal(2, sequencer.Duplicates);
    }

    [Fact]
    public void EntriesFilledFromTheDatabaseWaitForTheChangesFilledWithThem()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        JoinedWithThreeEntries(sequencer, steps);
        sequencer.NoteCommitted("secret", 5, 3);
        _clock.Advance(Gap);
        Assert.Equal(new RoomGap("secret", 3, 5, 1, 3), Assert.Single(sequencer.DueGaps()));

        // The fill: the changes first, then the entries, which carry no member version.
        sequencer.Accept(Change("secret", join: true, user: 9, atSeq: 3, version: 2), steps);
        sequencer.Accept(Change("secret", join: false, user: 7, atSeq: 4, version: 3), steps);
        sequencer.Accept(Entry("secret", 4), null, steps);
        sequencer.Accept(Entry("secret", 5), null, steps);

        Assert.Equal(["join v2@3", "deliver 4", "leave v3@4", "deliver 5"], steps.Select(Describe));
    }

    [Fact]
    public void AConnectionsJoinWaitsForThePlaceItsMembershipsWereReadAt()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        JoinedWithThreeEntries(sequencer, steps);

        sequencer.Accept(new GroupChange("secret", Join: true, UserId: 9, ConnectionId: "c2", AtSeq: 4, Version: 2), steps);
        Accept(sequencer, Entry("secret", 5), steps, memberVersion: 2);
        sequencer.Accept(Change("secret", join: true, user: 9, atSeq: 3, version: 2), steps);
        Accept(sequencer, Entry("secret", 4), steps, memberVersion: 2);

        Assert.Equal(["join v2@3", "deliver 4", "join v2@4", "deliver 5"], steps.Select(Describe));
    }

    [Fact]
    public void AGroupChangeAheadOfTheEntriesOpensAGapForTheEntriesItSaw()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "lobby", atSeq: 0, steps);

        // A join placed after 3 says 1..3 are committed, even though none of them has arrived.
        sequencer.Accept(Change("lobby", join: true, user: 9, atSeq: 3, version: 1), steps);
        _clock.Advance(Gap);

        Assert.Equal(new RoomGap("lobby", 0, 3, 0, 1), Assert.Single(sequencer.DueGaps()));
    }

    [Fact]
    public void ARoomFirstSeenThroughAJoinStartsAtTheJoinsPlace()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        sequencer.Accept(new GroupChange("lobby", Join: true, UserId: 9, ConnectionId: "c1", AtSeq: 40, Version: 6), steps);

        Accept(sequencer, Entry("lobby", 40), steps, memberVersion: 6); // the connection catches up to 40 itself
        Accept(sequencer, Entry("lobby", 41), steps, memberVersion: 6);

        Assert.Equal(["join v6@40", "deliver 41"], steps.Select(Describe));
    }

    [Fact]
    public void ARoomNobodyOnThisNodeReceivesHoldsNothingAndAsksForNoGapAndAJoinHereAppliesAtOnce()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Accept(sequencer, Entry("elsewhere", 1), steps, served: false);
        Accept(sequencer, Entry("elsewhere", 3), steps, memberVersion: 1, served: false);
        _clock.Advance(Gap);

        Assert.Empty(steps);
        Assert.Empty(sequencer.DueGaps());
        sequencer.Accept(Change("elsewhere", join: true, user: 9, atSeq: 3, version: 2), steps, served: false);
        Accept(sequencer, Entry("elsewhere", 4), steps, memberVersion: 2);

        Assert.Equal(["join v2@3", "deliver 4"], steps.Select(Describe));
    }

    [Fact]
    public void AChangeOlderThanWhereThisNodeStartedFollowingTheRoomIsLeftToTheStoredChanges()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Accept(sequencer, Entry("elsewhere", 1), steps, served: false);
        Accept(sequencer, Entry("elsewhere", 3), steps, memberVersion: 2, served: false);

        // The join after entry 2 (version 2) comes after entry 3: this node skipped its place while nobody here was in.
        var join = Change("elsewhere", join: true, user: 9, atSeq: 2, version: 2);
        sequencer.Accept(join, steps, served: false);

        Assert.Equal(new LateChangeStep(join, AfterVersion: 1, UpToVersion: 2, UpToSeq: 3), Assert.Single(steps));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void AnyArrivalOrderWithLostPublishesEndsInTheRoomsOneOrder(int seed)
    {
        var random = new Random(seed);
        var truth = new List<object>();
        long seq = 0, version = 0;
        for (var i = 0; i < 200; i++)
        {
            if (random.Next(4) == 0)
            {
                version++;
                truth.Add(Change("busy", join: random.Next(2) == 0, user: random.Next(1, 5), atSeq: seq, version: version));
            }
            else
            {
                seq++;
                truth.Add((Entry("busy", seq), version));
            }
        }

        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "busy", atSeq: 0, steps);
        steps.Clear();
        // Each node publishes in order; Redis interleaves three nodes' publishes any way and loses one in ten.
        var publishers = truth.Select(_ => random.Next(3)).ToList();
        var queues = Enumerable.Range(0, 3).Select(p => new Queue<object>(truth.Where((_, i) => publishers[i] == p))).ToList();
        while (queues.Any(q => q.Count > 0))
        {
            var queue = queues.Where(q => q.Count > 0).ElementAt(random.Next(queues.Count(q => q.Count > 0)));
            var effect = queue.Dequeue();
            if (random.Next(10) == 0)
            {
                continue;
            }

            Feed(sequencer, effect, steps);
        }

        sequencer.NoteCommitted("busy", seq, version);
        for (var round = 0; round < 20 && steps.Count < truth.Count; round++)
        {
            _clock.Advance(Gap);
            foreach (var gap in sequencer.DueGaps())
            {
                // As ClusterFanout fills: the stored changes, then the entries without member versions.
                foreach (var change in truth.OfType<GroupChange>().Where(c => c.Version > gap.AfterVersion && (c.Version <= gap.UpToVersion || c.AtSeq < gap.UpToSeq)))
                {
                    sequencer.Accept(change, steps);
                }

                foreach (var (entry, _) in truth.OfType<(ChatMessage Entry, long Version)>().Where(e => e.Entry.Seq > gap.AfterSeq && e.Entry.Seq <= gap.UpToSeq))
                {
                    sequencer.Accept(entry, null, steps);
                }
            }
        }

        Assert.Equal(truth.Select(DescribeTruth), steps.Select(Describe));
        Assert.Equal(0, sequencer.MisplacedChanges);
    }

    private static void Feed(RoomSequencer sequencer, object effect, List<SequencerStep> steps)
    {
        if (effect is GroupChange change)
        {
            sequencer.Accept(change, steps);
        }
        else
        {
            var (entry, version) = ((ChatMessage, long))effect;
            sequencer.Accept(entry, version, steps);
        }
    }

    private static string DescribeTruth(object effect) => effect is GroupChange change
        ? Describe(new ApplyStep(change))
        : $"deliver {(((ChatMessage Entry, long))effect).Entry.Seq}";

    /// <summary>Connection c1 in the room from the start; entries 1 to 3 delivered at member version 1; the steps so far cleared.</summary>
    private void JoinedWithThreeEntries(RoomSequencer sequencer, List<SequencerStep> steps)
    {
        Join(sequencer, "secret", atSeq: 0, steps);
        sequencer.Accept(Change("secret", join: true, user: 7, atSeq: 0, version: 1), steps);
        for (long seq = 1; seq <= 3; seq++)
        {
            Accept(sequencer, Entry("secret", seq), steps, memberVersion: 1);
        }

        Assert.Equal(["join v0@0", "join v1@0", "deliver 1", "deliver 2", "deliver 3"], steps.Select(Describe));
        steps.Clear();
    }

    private static void Join(RoomSequencer sequencer, string room, long atSeq, List<SequencerStep> steps) =>
        sequencer.Accept(new GroupChange(room, Join: true, UserId: 1, ConnectionId: "c1", AtSeq: atSeq, Version: 0), steps);

    private static void Accept(RoomSequencer sequencer, ChatMessage entry, List<SequencerStep> steps, long memberVersion = 0, bool served = true) =>
        sequencer.Accept(entry, memberVersion, steps, served);

    private static GroupChange Change(string room, bool join, long user, long atSeq, long version) =>
        new(room, join, UserId: user, AtSeq: atSeq, Version: version);

    private static List<long> Delivered(List<SequencerStep> steps) => steps.OfType<DeliverStep>().Select(s => s.Entry.Seq).ToList();

    private static string Describe(SequencerStep step) => step switch
    {
        DeliverStep d => $"deliver {d.Entry.Seq}",
        ApplyStep { Change.Join: true } a => $"join v{a.Change.Version}@{a.Change.AtSeq}",
        ApplyStep a => $"leave v{a.Change.Version}@{a.Change.AtSeq}",
        LateChangeStep l => $"late {l.Change}",
        _ => step.ToString(),
    };

    private static ChatMessage Entry(string room, long seq) => new()
    {
        Id = seq,
        Room = room,
        Seq = seq,
        Sender = "ann",
        Text = $"m{seq}",
        SentAt = DateTimeOffset.UnixEpoch,
        ClientMessageId = $"c{seq}",
    };

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
