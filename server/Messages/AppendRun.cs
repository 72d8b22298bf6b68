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

        var db = context.Db;
        var sql = AppendSql.For(db);
        var refusals = new ChatException?[sends.Length];
        var originals = await FindOriginalsAsync(context, sql, sends, cancellationToken);
        var rooms = await FindRoomsAsync(context, sql, sends, cancellationToken);

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
                var (original, room) = await LoadOriginalAsync(db, send, cancellationToken);
                refusals[i] = SameRoom(room, send);
                if (refusals[i] is null)
                {
                    send.Succeed(new SendResult(original, Duplicate: true));
                    stored[key] = (room, send);
                }
            }
            else if (!rooms.TryGetValue(send.RoomName, out var room))
            {
                refusals[i] = ChatException.NotFound($"There is no room named '{send.RoomName}'.");
            }
            else if ((refusals[i] = LogTargets.RefuseSend(room.Name, room.IsPrivate, room.Members.Contains(send.Sender.Id), room.Archived)) is null)
            {
                accepted.Add((send, room));
                stored[key] = (room.Name, send);
            }
        }

        if (accepted.Count > 0)
        {
            var firstSeqs = await AdvanceSeqsAsync(context, sql, accepted, cancellationToken);
            var mentionable = await MentionParser.FindMembersAsync(context, sql, accepted.Select(a => (a.Room.Id, a.Send.Text)), cancellationToken);
            await EntryInsert.InsertAsync(context, sql, accepted, firstSeqs, mentionable, cancellationToken);
        }

        foreach (var (send, holder) in duplicates)
        {
            send.Succeed(holder.Result! with { Duplicate = true }); // the holder was stored (or found) before its duplicate was taken
        }

        return refusals;
    }

    internal static ChatException? SameRoom(string storedRoom, AppendMessage send) =>
        string.Equals(storedRoom, send.RoomName, StringComparison.Ordinal)
            ? null
            : ChatException.Conflict($"clientMessageId '{send.ClientMessageId}' was already used for a message in another room; use a new one.");

    private static async Task<HashSet<(long, string)>> FindOriginalsAsync(WriteContext context, AppendSql sql, AppendMessage[] sends, CancellationToken cancellationToken)
    {
        var found = new HashSet<(long, string)>();
        var keys = sends.Select(s => (s.Sender.Id, s.ClientMessageId)).Distinct().ToList();
        foreach (var chunk in keys.Chunk(AppendSql.ListChunk))
        {
            await using var command = context.Command(sql.Originals(chunk.Length));
            for (var i = 0; i < chunk.Length; i++)
            {
                AppendSql.Add(command, $"@s{i}", chunk[i].Item1);
                AppendSql.Add(command, $"@c{i}", chunk[i].Item2);
            }

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

    private static async Task<Dictionary<string, RoomRow>> FindRoomsAsync(WriteContext context, AppendSql sql, AppendMessage[] sends, CancellationToken cancellationToken)
    {
        // Room names compare without case in the database (NOCASE); room names are ASCII, so OrdinalIgnoreCase agrees.
        var names = sends.Select(s => s.RoomName).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var users = sends.Select(s => s.Sender.Id).Distinct().ToList();
        await using var command = context.Command(sql.RoomsWithMembers(names.Count, users.Count));
        for (var i = 0; i < names.Count; i++)
        {
            AppendSql.Add(command, $"@n{i}", names[i]);
        }

        for (var i = 0; i < users.Count; i++)
        {
            AppendSql.Add(command, $"@u{i}", users[i]);
        }

        var rooms = new Dictionary<string, RoomRow>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(1);
            if (!rooms.TryGetValue(name, out var room))
            {
                rooms[name] = room = new RoomRow(reader.GetInt64(0), name, reader.GetBoolean(2), Archived: !await reader.IsDBNullAsync(3, cancellationToken));
            }

            if (!await reader.IsDBNullAsync(4, cancellationToken))
            {
                room.Members.Add(reader.GetInt64(4));
            }
        }

        return rooms;
    }

    /// <summary>Takes each room's seqs for the run in one statement; rooms in id order, so two writers never lock them crosswise.</summary>
    private static async Task<Dictionary<long, long>> AdvanceSeqsAsync(WriteContext context, AppendSql sql, List<(AppendMessage Send, RoomRow Room)> accepted, CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<long, long>();
        foreach (var (_, room) in accepted)
        {
            counts[room.Id] = counts.GetValueOrDefault(room.Id) + 1;
        }

        var firstSeqs = new Dictionary<long, long>(counts.Count);
        await using var command = context.Command(sql.AdvanceSeq);
        AppendSql.Add(command, "@count", 0L);
        AppendSql.Add(command, "@room", 0L);
        foreach (var (roomId, count) in counts)
        {
            command.Parameters[0].Value = count;
            command.Parameters[1].Value = roomId;
            var last = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            firstSeqs[roomId] = last - count + 1;
        }

        return firstSeqs;
    }

    /// <summary>A room a run sends to, and which of the run's senders are its members.</summary>
    internal sealed record RoomRow(long Id, string Name, bool IsPrivate, bool Archived)
    {
        public HashSet<long> Members { get; } = [];
    }
}
