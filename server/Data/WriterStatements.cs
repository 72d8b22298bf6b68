using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ChatApp.Server.Data;

/// <summary>
/// The writer's commands, one per statement text, kept for as long as its connection stays open, so each text is
/// compiled once rather than once per batch.
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite compiles a command's statements on its first execution and keeps them until the command
/// is disposed, its text changes or its connection closes; a new command compiles again. Compiling was about a fifth
/// of a small batch's CPU (perf: about ten statements a batch, the entry insert with its indexes and FTS5 trigger the
/// dearest). So the texts the writer runs are few and fixed (lists padded to a few sizes: see AppendSql) and every
/// one is kept here. Npgsql prepares by itself (auto-prepare per physical connection), so on PostgreSQL this only
/// saves building the commands again within a batch.
/// </remarks>
internal sealed class WriterStatements(DbConnection connection) : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public DbConnection Connection { get; } = connection;

    /// <summary>
    /// The command for <paramref name="sql"/> in <paramref name="transaction"/>; <paramref name="addParameters"/> runs once,
    /// when the command is made, and later callers set the values by position. The caller must not dispose it.
    /// </summary>
    /// <remarks><paramref name="state"/> spares a caller a closure per call: a static lambda gets what it needs from it.</remarks>
    public DbCommand Get<TState>(string sql, DbTransaction? transaction, TState state, Action<DbCommand, TState>? addParameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            addParameters?.Invoke(command, state);
            _commands.Add(sql, command);
        }

        // Microsoft.Data.Sqlite refuses a command whose transaction is not the connection's current one.
        command.Transaction = transaction;
        return command;
    }

    private readonly Dictionary<string, SqliteKeptStatement> _sqlite = new(StringComparer.Ordinal);

    /// <summary>
    /// The statement for <paramref name="sql"/> bound by position below Microsoft.Data.Sqlite (see <see cref="SqliteKeptStatement"/>),
    /// or null on PostgreSQL, whose callers use <see cref="Get"/>. The same text serves both, so a caller's parameters keep one order.
    /// </summary>
    public SqliteKeptStatement? Sqlite(string sql)
    {
        if (Connection is not SqliteConnection sqlite)
        {
            return null;
        }

        if (!_sqlite.TryGetValue(sql, out var statement))
        {
            statement = SqliteKeptStatement.Prepare(sqlite, sql);
            _sqlite.Add(sql, statement);
        }

        statement.Reset();
        return statement;
    }

    public async ValueTask DisposeAsync()
    {
        // Finalized before the connection closes (the session disposes this first), so none is left to the connection's pool.
        foreach (var statement in _sqlite.Values)
        {
            statement.Dispose();
        }

        _sqlite.Clear();
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync();
        }

        _commands.Clear();
    }
}
