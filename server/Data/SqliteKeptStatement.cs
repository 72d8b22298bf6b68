using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ChatApp.Server.Data;

/// <summary>
/// One of the writer's hottest statements compiled once on its SQLite connection and bound by position, below
/// Microsoft.Data.Sqlite: the writer's insert of new entries and its membership check, whose statements carry 100 to
/// 400 parameters.
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite binds every parameter by name on every execution (<c>sqlite3_bind_parameter_index</c>, a linear
/// search with <c>strncmp</c> over the statement's names), so binding grew with the square of a statement's parameters:
/// perf at 512 callers put <c>strncmp</c> and <c>sqlite3VListNameToNum</c> at 9% of the writer's process. It also boxes
/// each value, allocates a binder per parameter and converts each text to a UTF-8 array. Here a value is bound at its
/// position (a statement's parameters are numbered in the order they first appear, which is the order the writer's texts
/// add them), texts go to SQLite as UTF-16 spans, and a <see cref="DateTimeOffset"/> is formatted as Microsoft.Data.Sqlite
/// formats it, so EF reads back exactly what it would have stored. It runs on the same connection, so inside the writer's
/// transaction and savepoints like any other command.
/// </remarks>
internal sealed class SqliteKeptStatement : IDisposable
{
    /// <summary>Microsoft.Data.Sqlite's text for a <see cref="DateTimeOffset"/> (SqliteValueBinder), which EF Core's SQLite provider reads.</summary>
    internal const string DateTimeOffsetFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz";

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    private SqliteKeptStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    public static SqliteKeptStatement Prepare(SqliteConnection connection, string sql)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The writer's connection is not open.");
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        return new SqliteKeptStatement(db, statement ?? throw new InvalidOperationException("SQLite compiled no statement from the writer's text."));
    }

    /// <summary>Positions count from 0, in the order the parameters first appear in the text.</summary>
    public void Bind(int position, long value) => Check(raw.sqlite3_bind_int64(_statement, position + 1, value));

    public void Bind(int position, ReadOnlySpan<char> text) => Check(raw.sqlite3_bind_text16(_statement, position + 1, text));

    public void Bind(int position, DateTimeOffset value)
    {
        Span<char> text = stackalloc char[48];
        if (!value.TryFormat(text, out var written, DateTimeOffsetFormat, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A DateTimeOffset did not fit its text.");
        }

        Bind(position, text[..written]);
    }

    /// <summary>
    /// Runs the statement to its next row: true with a row to read, false when it is done (then it is reset, so it holds no
    /// lock and the transaction can commit). A database error is thrown as Microsoft.Data.Sqlite throws it (a
    /// <see cref="SqliteException"/>, so the writer's handling of a failed run is the same), after a reset.
    /// </summary>
    /// <remarks>Synchronous, as every "async" call of Microsoft.Data.Sqlite is underneath: only the writer's loop runs it.</remarks>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc == raw.SQLITE_DONE)
        {
            raw.sqlite3_reset(_statement);
            return false;
        }

        try
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
            throw new InvalidOperationException($"SQLite returned {rc} from a step.");
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>Before binding: a statement a failed caller left part-way through starts again.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    public void Dispose() => _statement.Dispose();
}
