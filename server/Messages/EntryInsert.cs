using System.Data.Common;
using ChatApp.Contracts;
using ChatApp.Server.Data;

namespace ChatApp.Server.Messages;

/// <summary>
/// Inserts the new entries of an <see cref="AppendRun"/> a chunk of <see cref="AppendSql.InsertRows"/> rows per
/// statement, each statement reading back the ids it assigned and skipping a row whose (sender, clientMessageId) is stored
/// already, and only then stores mentions and builds the messages.
/// </summary>
/// <remarks>
/// Measured with bench/WriterBench --mode sqlite (SQLite alone, the server's schema): 16 rows per statement cost about
/// half the CPU per row of one row per statement, and larger statements cost more again, because Microsoft.Data.Sqlite
/// binds every parameter by name and SQLite finds a name by a linear search, so binding grows with the square of the
/// rows. RETURNING gives no row order on either provider, so the ids are matched to entries by (room, seq), which is unique.
/// </remarks>
internal static class EntryInsert
{
    private const int Columns = 7;

    /// <summary>
    /// Inserts the entries, then (all inserted) stores mentions, stages the messages and sets each send's result. Returns
    /// the (sender, clientMessageId) keys the database already held instead: those rows were skipped, and the caller
    /// must roll the attempt back (their seqs were taken) and treat them as retries.
    /// </summary>
    public static async Task<IReadOnlyList<(long, string)>> InsertAsync(WriteContext context, AppendSql sql, List<(AppendMessage Send, AppendRun.RoomRow Room)> accepted,
        Dictionary<long, long> nextSeqs, IReadOnlyList<MentionParser.Member>?[] mentionable, CancellationToken cancellationToken)
    {
        var entries = new LogEntry[accepted.Count];
        var byRoomAndSeq = new Dictionary<(long, long), LogEntry>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var (send, room) = accepted[i];
            entries[i] = new LogEntry
            {
                RoomId = room.Id,
                Seq = nextSeqs[room.Id]++,
                SenderId = send.Sender.Id,
                Kind = EntryKinds.Message,
                Text = send.Text,
                ClientMessageId = send.ClientMessageId,
                SentAt = send.Now,
            };
            byRoomAndSeq.Add((entries[i].RoomId, entries[i].Seq), entries[i]);
        }

        var inserted = await InsertRowsAsync(context, sql, entries, byRoomAndSeq, cancellationToken);
        if (inserted < entries.Length)
        {
            return entries.Where(e => e.Id == 0).Select(e => (e.SenderId, e.ClientMessageId)).ToList();
        }

        await CompleteAsync(context, sql, accepted, entries, mentionable, cancellationToken);
        return [];
    }

    /// <summary>Returns how many rows were inserted; an entry skipped as a stored send's retry keeps Id 0.</summary>
    private static async Task<int> InsertRowsAsync(WriteContext context, AppendSql sql, LogEntry[] entries,
        Dictionary<(long, long), LogEntry> byRoomAndSeq, CancellationToken cancellationToken)
    {
        var returned = 0;
        for (var start = 0; start < entries.Length; start += AppendSql.InsertRows)
        {
            // A command per row count (1 to InsertRows), each compiled once and kept by the writer.
            var rows = Math.Min(AppendSql.InsertRows, entries.Length - start);
            if (context.SqliteStatement(sql.InsertEntries(rows)) is { } statement)
            {
                returned += InsertRows(statement, entries.AsSpan(start, rows), byRoomAndSeq);
                continue;
            }

            var command = Command(context, sql, rows);
            for (var row = 0; row < rows; row++)
            {
                var entry = entries[start + row];
                var p = row * Columns;
                command.Parameters[p].Value = entry.RoomId;
                command.Parameters[p + 1].Value = entry.Seq;
                command.Parameters[p + 2].Value = entry.SenderId;
                command.Parameters[p + 3].Value = entry.Kind;
                command.Parameters[p + 4].Value = entry.Text;
                command.Parameters[p + 5].Value = entry.ClientMessageId;
                command.Parameters[p + 6].Value = entry.SentAt;
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                byRoomAndSeq[(reader.GetInt64(1), reader.GetInt64(2))].Id = reader.GetInt64(0);
                returned++;
            }
        }

        return returned;
    }

    /// <summary>The same statement on SQLite, bound by position (see <see cref="SqliteKeptStatement"/>): the parameters' order is the text's.</summary>
    private static int InsertRows(SqliteKeptStatement statement, ReadOnlySpan<LogEntry> entries, Dictionary<(long, long), LogEntry> byRoomAndSeq)
    {
        for (var row = 0; row < entries.Length; row++)
        {
            var entry = entries[row];
            var p = row * Columns;
            statement.Bind(p, entry.RoomId);
            statement.Bind(p + 1, entry.Seq);
            statement.Bind(p + 2, entry.SenderId);
            statement.Bind(p + 3, entry.Kind);
            statement.Bind(p + 4, entry.Text);
            statement.Bind(p + 5, entry.ClientMessageId);
            statement.Bind(p + 6, entry.SentAt);
        }

        var returned = 0;
        while (statement.Step())
        {
            byRoomAndSeq[(statement.Int64(1), statement.Int64(2))].Id = statement.Int64(0);
            returned++;
        }

        return returned;
    }

    private static DbCommand Command(WriteContext context, AppendSql sql, int rows) =>
        context.Statement(sql.InsertEntries(rows), rows, static (command, rows) =>
        {
            for (var row = 0; row < rows; row++)
            {
                foreach (var column in (ReadOnlySpan<string>)["room", "seq", "sender", "kind", "text", "clientId", "sentAt"])
                {
                    AppendSql.Add(command, $"@{column}{row}", DBNull.Value);
                }
            }
        });

    /// <summary>In queue order: mentions (rare: only texts naming a member), then each message for the fan-out and its ack.</summary>
    private static async Task CompleteAsync(WriteContext context, AppendSql sql, List<(AppendMessage Send, AppendRun.RoomRow Room)> accepted,
        LogEntry[] entries, IReadOnlyList<MentionParser.Member>?[] mentionable, CancellationToken cancellationToken)
    {
        DbCommand? mention = null;
        for (var i = 0; i < entries.Length; i++)
        {
            var (send, room) = accepted[i];
            var entry = entries[i];
            List<string> mentions = [];
            if (mentionable[i] is { Count: > 0 } members)
            {
                mention ??= MentionCommand(context, sql);
                foreach (var member in members)
                {
                    mention.Parameters[0].Value = member.UserId;
                    mention.Parameters[1].Value = room.Id;
                    mention.Parameters[2].Value = entry.Seq;
                    await mention.ExecuteNonQueryAsync(cancellationToken);
                }

                mentions = members.Select(m => m.UserName).ToList();
            }

            var message = WireMessages.From(entry, room.Name, send.Sender.Name);
            if (mentions.Count > 0)
            {
                message = message with { Mentions = mentions }; // a copy only for the few messages that mention someone
            }

            context.Append(message);
            send.Succeed(new SendResult(message, Duplicate: false));
        }
    }

    private static DbCommand MentionCommand(WriteContext context, AppendSql sql) =>
        context.Statement(sql.InsertMention, static command =>
        {
            AppendSql.Add(command, "@user", 0L);
            AppendSql.Add(command, "@room", 0L);
            AppendSql.Add(command, "@seq", 0L);
        });
}
