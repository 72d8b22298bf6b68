using System.Runtime.CompilerServices;
using ChatApp.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>Catch-up from the stored log: what a reconnecting client missed, in seq order (a reader beside the writer, WAL).</summary>
public sealed class DurableLog(IOptions<BaselineOptions> options)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(options.Value.DatabasePath),
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = true,
    }.ToString();

    public async IAsyncEnumerable<ChatMessage> SinceAsync(DurableRoom room, long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT e.Id, e.Seq, u.UserName, e.Text, e.SentAt, e.ClientMessageId FROM LogEntries e JOIN Users u ON u.Id = e.SenderId
            WHERE e.RoomId = @room AND e.Seq > @after AND e.Kind = 'message' ORDER BY e.Seq
            """;
        command.Parameters.AddWithValue("@room", room.Id);
        command.Parameters.AddWithValue("@after", afterSeq);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new ChatMessage
            {
                Id = reader.GetInt64(0),
                Room = room.Name,
                Seq = reader.GetInt64(1),
                Sender = reader.GetString(2),
                Text = reader.GetString(3),
                SentAt = reader.GetDateTimeOffset(4),
                ClientMessageId = reader.GetString(5),
            };
        }
    }
}
