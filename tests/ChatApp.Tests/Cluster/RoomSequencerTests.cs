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
            sequencer.Accept(Entry("lobby", seq), steps);
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
            sequencer.Accept(Entry("lobby", seq), steps);
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
        sequencer.Accept(Entry("lobby", 1), steps);
        sequencer.Accept(Entry("lobby", 3), steps);
        sequencer.Accept(Entry("lobby", 4), steps);

        Assert.Empty(sequencer.DueGaps());
        _clock.Advance(Gap);
        var gap = Assert.Single(sequencer.DueGaps());
        Assert.Equal(("lobby", 1L, 4L), gap);

        // What the database returns for (1, 4]: the missing 2 and the 3 and 4 already held.
        foreach (var seq in new long[] { 2, 3, 4 })
        {
            sequencer.Accept(Entry("lobby", seq), steps);
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
        sequencer.Accept(Entry("lobby", 1), steps);

        // Nothing follows the lost 2 on Redis; the periodic tail check sees the log reaches 2.
        sequencer.NoteCommitted("lobby", 2);
        _clock.Advance(Gap);

        Assert.Equal(("lobby", 1L, 2L), Assert.Single(sequencer.DueGaps()));
    }

    [Fact]
    public void ARemovalWaitsForItsPlaceSoTheMemberGetsEverythingBeforeItAndNothingAfter()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "secret", atSeq: 0, steps);
        var removal = new GroupChange("secret", Join: false, UserId: 7, AtSeq: 2);

        // The removal (after 2) arrives first, then 3 (sent after it), then 1 and 2 from a slower node.
        sequencer.Accept(removal, steps);
        sequencer.Accept(Entry("secret", 3), steps);
        sequencer.Accept(Entry("secret", 1), steps);
        sequencer.Accept(Entry("secret", 2), steps);

        Assert.Equal(["deliver 1", "deliver 2", "leave@2", "deliver 3"], steps.Skip(1).Select(Describe));
    }

    [Fact]
    public void AJoinThatArrivesAfterItsPlaceIsFilledFromTheDatabaseBeforeItApplies()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "lobby", atSeq: 0, steps);
        for (long seq = 1; seq <= 5; seq++)
        {
            sequencer.Accept(Entry("lobby", seq), steps);
        }

        steps.Clear();
        sequencer.Accept(new GroupChange("lobby", Join: true, UserId: 9, AtSeq: 3), steps);

        var late = Assert.IsType<LateJoinStep>(Assert.Single(steps));
        Assert.Equal((3L, 5L), (late.After, late.UpTo));
    }

    [Fact]
    public void AGroupChangeAheadOfTheEntriesOpensAGapForTheEntriesItSaw()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        Join(sequencer, "lobby", atSeq: 0, steps);

        // A join placed after 3 says 1..3 are committed, even though none of them has arrived.
        sequencer.Accept(new GroupChange("lobby", Join: true, UserId: 9, AtSeq: 3), steps);
        _clock.Advance(Gap);

        Assert.Equal(("lobby", 0L, 3L), Assert.Single(sequencer.DueGaps()));
    }

    [Fact]
    public void ARoomFirstSeenThroughAJoinStartsAtTheJoinsPlace()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        sequencer.Accept(new GroupChange("lobby", Join: true, ConnectionId: "c1", AtSeq: 40), steps);

        sequencer.Accept(Entry("lobby", 40), steps); // the connection catches up to 40 itself
        sequencer.Accept(Entry("lobby", 41), steps);

        Assert.Equal(["join@40", "deliver 41"], steps.Select(Describe));
    }

    [Fact]
    public void ARoomNobodyOnThisNodeReceivesHoldsNothingAndAskForNoGapButALaterJoinGetsWhatItMissed()
    {
        var sequencer = NewSequencer();
        var steps = new List<SequencerStep>();
        sequencer.Accept(Entry("elsewhere", 1), steps, served: false);
        sequencer.Accept(Entry("elsewhere", 3), steps, served: false);
        _clock.Advance(Gap);

        Assert.Empty(steps);
        Assert.Empty(sequencer.DueGaps());
        sequencer.Accept(new GroupChange("elsewhere", Join: true, UserId: 9, AtSeq: 2), steps);
        var late = Assert.IsType<LateJoinStep>(Assert.Single(steps));
        Assert.Equal((2L, 3L), (late.After, late.UpTo));
    }

    private static void Join(RoomSequencer sequencer, string room, long atSeq, List<SequencerStep> steps) =>
        sequencer.Accept(new GroupChange(room, Join: true, ConnectionId: "c1", AtSeq: atSeq), steps);

    private static List<long> Delivered(List<SequencerStep> steps) => steps.OfType<DeliverStep>().Select(s => s.Entry.Seq).ToList();

    private static string Describe(SequencerStep step) => step switch
    {
        DeliverStep d => $"deliver {d.Entry.Seq}",
        ApplyStep { Change.Join: true } a => $"join@{a.Change.AtSeq}",
        ApplyStep a => $"leave@{a.Change.AtSeq}",
        LateJoinStep l => $"late join ({l.After}, {l.UpTo}]",
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
