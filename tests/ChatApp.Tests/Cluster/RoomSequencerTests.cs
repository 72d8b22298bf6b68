using ChatApp.Contracts;
using ChatApp.Server.Cluster;
using ChatApp.Server.Live;

namespace ChatApp.Tests.Cluster;

/// <summary>
/// The ordering layer of cluster mode alone, with a hand-moved clock: what each node does with entries and
/// group changes that Redis brings in any order, twice, or not at all.
/// </summary>
public sealed partial class RoomSequencerTests
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

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
