using ChatApp.Contracts;
using ChatApp.Server.Cluster;
using ChatApp.Server.Live;

namespace ChatApp.Tests.Cluster;

/// <summary>RoomSequencerTests, continued: random arrival orders with lost publishes end in the room's one order.</summary>
public sealed partial class RoomSequencerTests
{
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
}
