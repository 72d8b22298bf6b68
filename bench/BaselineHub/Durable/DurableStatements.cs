using System.Text;
using Microsoft.Data.Sqlite;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>
/// The writer's one connection and its commands, kept for the life of the hub: Microsoft.Data.Sqlite compiles a
/// command's statement once and reuses it while the command lives, so a batch compiles nothing.
/// </summary>
/// <remarks>
/// 16 rows per INSERT, as ChatApp's writer (and bench/WriterBench --mode sqlite found it cheapest per row): parameters
/// bind by name, and SQLite finds a name by a linear search, so larger statements cost more per row again.
/// </remarks>
public sealed class DurableStatements : IAsyncDisposable
{
    public const int InsertRows = 16;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand[] _inserts = new SqliteCommand[InsertRows + 1];

    private DurableStatements(SqliteConnection connection)
    {
        _connection = connection;
        Begin = Command("BEGIN IMMEDIATE");
        Commit = Command("COMMIT");
        Rollback = Command("ROLLBACK");
        // The room's seq is taken in the transaction that stores its entries, so a rollback gives it back.
        AdvanceSeq = Command("UPDATE Rooms SET LastSeq = LastSeq + @count WHERE Id = @room RETURNING LastSeq", "@count", "@room");
        Original = Command("""
            SELECT e.Id, e.Seq, r.Name, e.Text, e.SentAt FROM LogEntries e JOIN Rooms r ON r.Id = e.RoomId
            WHERE e.SenderId = @sender AND e.ClientMessageId = @clientId
            """, "@sender", "@clientId");
        AddUser = Command("INSERT INTO Users (UserName, PasswordHash, CreatedAt, IsAdmin) VALUES (@name, '', @now, 0) ON CONFLICT DO NOTHING", "@name", "@now");
        UserId = Command("SELECT Id FROM Users WHERE UserName = @name", "@name");
        AddRoom = Command("""
            INSERT INTO Rooms (Name, IsPrivate, IsDirect, LastSeq, MemberVersion, CreatedAt) VALUES (@name, 0, 0, 0, 0, @now)
            ON CONFLICT DO NOTHING
            """, "@name", "@now");
        RoomIdAndSeq = Command("SELECT Id, LastSeq FROM Rooms WHERE Name = @name", "@name");
    }

    public SqliteCommand Begin { get; }

    public SqliteCommand Commit { get; }

    public SqliteCommand Rollback { get; }

    /// <summary>@count, @room: returns the room's new last seq.</summary>
    public SqliteCommand AdvanceSeq { get; }

    /// <summary>@sender, @clientId: the stored send (id, seq, room name, text, sent at), if any.</summary>
    public SqliteCommand Original { get; }

    public SqliteCommand AddUser { get; }

    public SqliteCommand UserId { get; }

    public SqliteCommand AddRoom { get; }

    public SqliteCommand RoomIdAndSeq { get; }

    /// <summary>
    /// The connection ChatApp's writer would use: WAL (a property of the file, set by the schema), synchronous=FULL so a
    /// commit is on disk before the ack, foreign keys checked, a savepoint's journal in memory.
    /// </summary>
    public static async Task<DurableStatements> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
        }

        return new DurableStatements(connection);
    }

    /// <summary>
    /// <paramref name="rows"/> entries (1 to <see cref="InsertRows"/>), parameters @room0, @seq0, @sender0, @text0, @clientId0,
    /// @sentAt0, @room1, ...; returns (id, seq) per row inserted, in no particular order. A row whose (sender,
    /// clientMessageId) is stored already is skipped by the unique index and returns nothing.
    /// </summary>
    public SqliteCommand Insert(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, InsertRows);
        if (_inserts[rows] is { } kept)
        {
            return kept;
        }

        var sql = new StringBuilder("INSERT INTO LogEntries (RoomId, Seq, SenderId, Kind, Text, ClientMessageId, SentAt) VALUES ");
        var names = new List<string>();
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "" : ", ").Append($"(@room{r}, @seq{r}, @sender{r}, 'message', @text{r}, @clientId{r}, @sentAt{r})");
            names.AddRange([$"@room{r}", $"@seq{r}", $"@sender{r}", $"@text{r}", $"@clientId{r}", $"@sentAt{r}"]);
        }

        sql.Append(" ON CONFLICT (SenderId, ClientMessageId) DO NOTHING RETURNING Id, Seq");
        return _inserts[rows] = Command(sql.ToString(), [.. names]);
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _inserts)
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }

        foreach (var command in new[] { Begin, Commit, Rollback, AdvanceSeq, Original, AddUser, UserId, AddRoom, RoomIdAndSeq })
        {
            await command.DisposeAsync();
        }

        await _connection.DisposeAsync();
    }
}
