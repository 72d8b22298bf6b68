using System.Data.Common;
using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>
/// Consecutive sends of a batch as a set: one query for the (sender, clientMessageId) pairs already stored, one for
/// the rooms and the senders' memberships, every check in memory, then one seq update per room and multi-row inserts (<see cref="EntryInsert"/>).
/// Nothing is cached across batches: rooms, memberships and seqs are read inside the transaction, because another
/// writer (another node, on PostgreSQL) may change them between batches.
/// </summary>
internal sealed class AppendRun : WriteRun
{
    public static readonly AppendRun Instance = new();

    private AppendRun()
    {
    }

    public override async Task<ChatException?[]> ExecuteAsync(WriteContext context, IReadOnlyList<WriteCommand> commands, CancellationToken cancellationToken)
    {
        var sends = new AppendMessage[commands.Count];
        for (var i = 0; i < sends.Length; i++)
        {
            sends[i] = (AppendMessage)commands[i];
        }

        var sql = AppendSql.For(context.Db);
        var rooms = await FindRoomsAsync(context, sql, sends, cancellationToken);
        // A send the checks would refuse may still be the retry of a stored one (its sender has left since, say), which
        // gets its original: those few keys are looked up first. Every other send learns that it is a retry from the
        // insert itself, whose unique index on (sender, clientMessageId) is probed for every row anyway.
        var originals = await FindOriginalsAsync(context, sql, sends.Where(s => Refuse(s, rooms) is not null), cancellationToken);
        while (true)
        {
            var (refusals, retries) = await AttemptAsync(context, sql, sends, rooms, originals, cancellationToken);
            if (retries.Count == 0)
            {
                return refusals;
            }

            // Rare: retries of sends stored by an earlier batch (a lost ack). Their rows were not inserted, but their
            // seqs were taken, so the attempt is undone (back to the writer's savepoint for this run, or for this send
            // alone) and made again with them known, which keeps every room gap-free.
            await context.UndoAttemptAsync(cancellationToken);
            if (!retries.Aggregate(false, (added, key) => originals.Add(key) | added))
            {
                throw new InvalidOperationException("A send conflicted with a stored one it was already checked against.");
            }
        }
    }

    private static ChatException? Refuse(AppendMessage send, Dictionary<string, RoomRow> rooms) =>
        rooms.TryGetValue(send.RoomName, out var room)
            ? LogTargets.RefuseSend(room.Name, room.IsPrivate, room.Members.Contains(send.Sender.Id), room.Archived)
            : ChatException.NotFound($"There is no room named '{send.RoomName}'.");

    /// <summary>
    /// Checks and stores the run given the keys known to be stored; returns the refusals, or the keys the insert found
    /// stored after all (then nothing of the attempt may stand: the caller rolls it back).
    /// </summary>
    private static async Task<(ChatException?[] Refusals, IReadOnlyList<(long, string)> Retries)> AttemptAsync(WriteContext context, AppendSql sql,
        AppendMessage[] sends, Dictionary<string, RoomRow> rooms, HashSet<(long, string)> originals, CancellationToken cancellationToken)
    {
        var refusals = new ChatException?[sends.Length];
        // Checked in queue order, as if one by one: a send refused leaves nothing for a later duplicate to find.
        var stored = new Dictionary<(long, string), (string Room, AppendMessage Holder)>();
        var accepted = new List<(AppendMessage Send, RoomRow Room)>(sends.Length);
        var duplicates = new List<(AppendMessage Send, AppendMessage Holder)>();
        for (var i = 0; i < sends.Length; i++)
        {
            var send = sends[i];
            var key = (send.Sender.Id, send.ClientMessageId);
            if (stored.TryGetValue(key, out var earlier))
            {
                refusals[i] = SameRoom(earlier.Room, send);
                if (refusals[i] is null)
                {
                    duplicates.Add((send, earlier.Holder));
                }
            }
            else if (originals.Contains(key))
            {
                var (original, room) = await LoadOriginalAsync(context.Db, send, cancellationToken);
                refusals[i] = SameRoom(room, send);
                if (refusals[i] is null)
                {
                    send.Succeed(new SendResult(original, Duplicate: true));
                    stored[key] = (room, send);
                }
            }
            else if ((refusals[i] = Refuse(send, rooms)) is null)
            {
                var room = rooms[send.RoomName];
                accepted.Add((send, room));
                stored[key] = (room.Name, send);
            }
        }

        if (accepted.Count > 0)
        {
            var firstSeqs = await AdvanceSeqsAsync(context, sql, accepted, cancellationToken);
            var mentionable = await MentionParser.FindMembersAsync(context, sql, accepted.Select(a => (a.Room.Id, a.Send.Text)), cancellationToken);
            var retries = await EntryInsert.InsertAsync(context, sql, accepted, firstSeqs, mentionable, cancellationToken);
            if (retries.Count > 0)
            {
                return (refusals, retries);
            }
        }

        foreach (var (send, holder) in duplicates)
        {
            send.Succeed(holder.Result! with { Duplicate = true }); // the holder was stored (or found) before its duplicate was taken
        }

        return (refusals, []);
    }

    internal static ChatException? SameRoom(string storedRoom, AppendMessage send) =>
        string.Equals(storedRoom, send.RoomName, StringComparison.Ordinal)
            ? null
            : ChatException.Conflict($"clientMessageId '{send.ClientMessageId}' was already used for a message in another room; use a new one.");

    private static async Task<HashSet<(long, string)>> FindOriginalsAsync(WriteContext context, AppendSql sql, IEnumerable<AppendMessage> sends, CancellationToken cancellationToken)
    {
        var found = new HashSet<(long, string)>();
        var keys = sends.Select(s => (s.Sender.Id, s.ClientMessageId)).Distinct().ToList();
        foreach (var chunk in keys.Chunk(AppendSql.ListChunk))
        {
            var size = AppendSql.Padded(chunk.Length);
            var command = context.Statement(sql.Originals(chunk.Length), size, static (c, size) => AppendSql.AddPairs(c, "s", "c", size));
            AppendSql.SetPairs(command, size, chunk);

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }

        return found;
    }

    /// <summary>A retry of a stored send: the original as history shows it (reactions and mentions filled in). Rare, so EF.</summary>
    private static async Task<(ChatMessage Message, string Room)> LoadOriginalAsync(ChatDbContext db, AppendMessage send, CancellationToken cancellationToken) =>
        await FindOriginalAsync(db, send, cancellationToken) ?? throw new InvalidOperationException("The stored original was just found.");

    /// <summary>The stored send with the same (sender, clientMessageId), as history shows it, or null for a new one.</summary>
    internal static async Task<(ChatMessage Message, string Room)?> FindOriginalAsync(ChatDbContext db, AppendMessage send, CancellationToken cancellationToken)
    {
        var original = await db.LogEntries
            .Where(e => e.SenderId == send.Sender.Id && e.ClientMessageId == send.ClientMessageId)
            .Select(e => new { Entry = e, Room = e.Room!.Name })
            .FirstOrDefaultAsync(cancellationToken);
        if (original is null)
        {
            return null;
        }

        var stored = WireMessages.From(original.Entry, original.Room, send.Sender.Name);
        return ((await EntryAssembler.CompleteAsync(db, original.Entry.RoomId, [stored], send.Sender.Id, cancellationToken))[0], original.Room);
    }

    /// <summary>
    /// The live rooms the run sends to, each with those of the run's senders to it who are members: two statements, the
    /// second asking only for the (room, sender) pairs the run has, so it reads a row per member who sends, not one per
    /// sender of the run and room.
    /// </summary>
    private static async Task<Dictionary<string, RoomRow>> FindRoomsAsync(WriteContext context, AppendSql sql, AppendMessage[] sends, CancellationToken cancellationToken)
    {
        // Room names compare without case in the database (NOCASE); room names are ASCII, so OrdinalIgnoreCase agrees.
        var names = sends.Select(s => s.RoomName).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var rooms = new Dictionary<string, RoomRow>(StringComparer.OrdinalIgnoreCase);
        foreach (var chunk in names.Chunk(AppendSql.ListChunk))
        {
            var size = AppendSql.Padded(chunk.Length);
            var command = context.Statement(sql.Rooms(chunk.Length), size, static (c, size) => AppendSql.AddList(c, "n", size));
            AppendSql.SetList(command, 0, size, chunk);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(1);
                rooms[name] = new RoomRow(reader.GetInt64(0), name, reader.GetBoolean(2), Archived: !await reader.IsDBNullAsync(3, cancellationToken));
            }
        }

        var byId = rooms.Values.ToDictionary(r => r.Id);
        var pairs = sends.Where(s => rooms.ContainsKey(s.RoomName)).Select(s => (Room: rooms[s.RoomName].Id, User: s.Sender.Id)).Distinct();
        foreach (var chunk in pairs.Chunk(AppendSql.ListChunk))
        {
            var size = AppendSql.Padded(chunk.Length);
            if (context.SqliteStatement(sql.Memberships(chunk.Length)) is { } statement)
            {
                // Up to 400 parameters: bound by position on SQLite (see SqliteKeptStatement), in AddPairs' order.
                for (var i = 0; i < size; i++)
                {
                    var (room, user) = chunk[Math.Min(i, chunk.Length - 1)];
                    statement.Bind(2 * i, room);
                    statement.Bind((2 * i) + 1, user);
                }

                while (statement.Step())
                {
                    byId[statement.Int64(0)].Members.Add(statement.Int64(1));
                }

                continue;
            }

            var command = context.Statement(sql.Memberships(chunk.Length), size, static (c, size) => AppendSql.AddPairs(c, "r", "u", size));
            AppendSql.SetPairs(command, size, chunk);

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                byId[reader.GetInt64(0)].Members.Add(reader.GetInt64(1));
            }
        }

        return rooms;
    }

    /// <summary>Takes each room's seqs for the run in one statement; rooms in id order, so two writers never lock them crosswise.</summary>
    private static async Task<Dictionary<long, long>> AdvanceSeqsAsync(WriteContext context, AppendSql sql, List<(AppendMessage Send, RoomRow Room)> accepted, CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<long, long>();
        var names = new Dictionary<long, string>();
        foreach (var (_, room) in accepted)
        {
            counts[room.Id] = counts.GetValueOrDefault(room.Id) + 1;
            names[room.Id] = room.Name;
        }

        var firstSeqs = new Dictionary<long, long>(counts.Count);
        if (context.SqliteStatement(sql.AdvanceSeq) is { } statement)
        {
            // A statement per room of the batch: on SQLite, kept below Microsoft.Data.Sqlite, whose execution costs more than SQLite's.
            foreach (var (roomId, count) in counts)
            {
                statement.Bind(0, count);
                statement.Bind(1, roomId);
                if (!statement.Step())
                {
                    throw new InvalidOperationException($"Room {roomId} was not found to take its seqs.");
                }

                firstSeqs[roomId] = statement.Int64(0) - count + 1;
                context.AfterCommit(new MemberVersionMark(names[roomId], statement.Int64(1)));
                statement.Reset(); // one row: done with it, so it holds nothing until the next room
            }

            return firstSeqs;
        }

        var command = AdvanceSeqCommand(context, sql);
        foreach (var (roomId, count) in counts)
        {
            command.Parameters[0].Value = count;
            command.Parameters[1].Value = roomId;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            firstSeqs[roomId] = reader.GetInt64(0) - count + 1;
            // Staged before the run's entries: the membership changes committed before them, for a cluster's fan-out.
            context.AfterCommit(new MemberVersionMark(names[roomId], reader.GetInt64(1)));
        }

        return firstSeqs;
    }

    /// <summary>The command of <see cref="AppendSql.AdvanceSeq"/>: parameters @count, then @room.</summary>
    internal static DbCommand AdvanceSeqCommand(WriteContext context, AppendSql sql) =>
        context.Statement(sql.AdvanceSeq, static c =>
        {
            AppendSql.Add(c, "@count", 0L);
            AppendSql.Add(c, "@room", 0L);
        });

    /// <summary>A room a run sends to, and which of the run's senders are its members.</summary>
    internal sealed record RoomRow(long Id, string Name, bool IsPrivate, bool Archived)
    {
        public HashSet<long> Members { get; } = [];
    }
}
