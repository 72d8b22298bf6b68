using ChatApp.Contracts;
using ChatApp.Server.Errors;
using ChatApp.Server.Messages;
using ChatApp.Server.Rooms;

namespace ChatApp.Tests;

/// <summary>
/// The parts of a run that batches of real traffic rarely show: more sends than one insert statement holds, and
/// retries of sends stored by an earlier batch, which only the insert's unique index finds.
/// </summary>
public partial class WriterBatchTests
{
    [Fact]
    public async Task RetriesOfSendsStoredEarlierAmongNewSendsReturnTheirOriginalsAndLeaveNoGap()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var bob = await _server.UserAsync("bob", "general");
        var (sender, leaver) = (await UserAsync("alice"), await UserAsync("bob"));
        var now = DateTimeOffset.UtcNow;
        var kept = (await Writer.SubmitAsync(new AppendMessage(sender, "general", "stored", "kept-1", now), Ct)).Message;
        var bobs = (await Writer.SubmitAsync(new AppendMessage(leaver, "general", "stored too", "kept-2", now), Ct)).Message;
        await Writer.SubmitAsync(new LeaveRoom(leaver, "general"), Ct);

        // The new sends are stored around the retries: a retry found only by the insert's unique index must give back
        // the seq it took, or the room's log would have a hole. Bob's retry is found although he is no member any more.
        var (one, retry, two, leftRetry) = await InOneBatchAsync(
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "one", NewId(), now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "stored, retried", "kept-1", now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(sender, "general", "two", NewId(), now), Ct),
            () => Writer.SubmitAsync(new AppendMessage(leaver, "general", "stored too, retried", "kept-2", now), Ct));

        Assert.Equal((3L, 4L), ((await one).Message.Seq, (await two).Message.Seq));
        Assert.True((await retry).Duplicate);
        Assert.Equal((kept.Id, kept.Seq, "stored"), ((await retry).Message.Id, (await retry).Message.Seq, (await retry).Message.Text));
        Assert.True((await leftRetry).Duplicate);
        Assert.Equal((bobs.Id, bobs.Seq), ((await leftRetry).Message.Id, (await leftRetry).Message.Seq));
        var stored = await alice.Connection.StreamMessagesSinceAsync("general", 0, Ct).ToListAsync(Ct);
        Assert.Equal(["stored", "stored too", "one", "two"], stored.Where(m => m.Kind == EntryKinds.Message).Select(m => m.Text));
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Seq));
        Assert.DoesNotContain("running them one at a time", await _server.ReadLogAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABatchLongerThanOneInsertStatementStoresEveryChunkWithDuplicatesAndARefusalAcrossTheBoundaries()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await using var mallory = await _server.UserAsync("mallory");
        await alice.Connection.CreateRoomAsync("second", isPrivate: false, Ct);
        var (member, outsider) = (await UserAsync("alice"), await UserAsync("mallory"));
        var now = DateTimeOffset.UtcNow;
        string Room(int i) => i % 3 == 0 ? "second" : "general";

        // Two full statements and a part of a third; a refused send comes right after the first statement's rows, and
        // retries of a send of the first chunk come among the second's and the last's, so queue positions and rows differ.
        var rows = AppendSql.InsertRows;
        var submits = new List<Func<Task<SendResult>>>();
        for (var i = 0; i < rows * 2 + 5; i++)
        {
            var n = i;
            submits.Add(() => Writer.SubmitAsync(new AppendMessage(member, Room(n), $"chunked {n}", $"chunk-{n}", now), Ct));
            if (n == rows - 1)
            {
                submits.Add(() => Writer.SubmitAsync(new AppendMessage(outsider, "general", "not a member", NewId(), now), Ct));
            }
            else if (n == rows + 2 || n == rows * 2 + 3)
            {
                submits.Add(() => Writer.SubmitAsync(new AppendMessage(member, Room(1), "a retry", "chunk-1", now), Ct));
            }
        }

        var tasks = await HeldAsync(() => submits.Select(submit => (Task)submit()).ToArray());
        var results = new List<SendResult>();
        foreach (var task in tasks.Where(t => t.IsCompletedSuccessfully))
        {
            results.Add(await (Task<SendResult>)task);
        }

        var refused = Assert.Single(tasks, t => t.IsFaulted);
        Assert.Contains("not a member", Assert.IsType<ChatException>(refused.Exception!.InnerException).Message, StringComparison.Ordinal);
        var stored = results.Where(r => !r.Duplicate).Select(r => r.Message).ToList();
        Assert.Equal(rows * 2 + 5, stored.Count);
        var original = stored.Single(m => m.ClientMessageId == "chunk-1");
        Assert.All(results.Where(r => r.Duplicate), r => Assert.Equal((original.Id, original.Seq, original.Text), (r.Message.Id, r.Message.Seq, r.Message.Text)));
        Assert.Equal(2, results.Count(r => r.Duplicate));

        foreach (var room in (string[])["general", "second"])
        {
            var acked = stored.Where(m => m.Room == room).ToList();
            var log = await alice.Connection.StreamMessagesSinceAsync(room, 0, Ct).ToListAsync(Ct);
            // Gap-free and in queue order: each room's seqs follow the order the sends were queued in.
            Assert.Equal(Enumerable.Range(1, acked.Count).Select(i => (long)i), acked.Select(m => m.Seq));
            Assert.Equal(acked.Select(m => (m.Id, m.Seq, m.Text, m.ClientMessageId)), log.Select(m => (m.Id, m.Seq, m.Text, m.ClientMessageId)));
        }

        var found = await alice.Connection.SearchMessagesAsync("chunked", null, null, null, Ct);
        Assert.Contains(stored.Last().Id, found.Results.Select(m => m.Id)); // the last chunk's rows reach the search index too
        Assert.DoesNotContain("running them one at a time", await _server.ReadLogAsync(), StringComparison.Ordinal);
    }
}
