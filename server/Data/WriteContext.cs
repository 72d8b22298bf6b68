using System.Data.Common;
using ChatApp.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ChatApp.Server.Data;

/// <summary>What a command sees while it runs inside the writer's transaction.</summary>
public sealed class WriteContext
{
    private readonly List<object> _effects;
    private readonly WriterStatements _statements;

    internal WriteContext(ChatDbContext db, List<object> effects, WriterStatements statements)
    {
        Db = db;
        _effects = effects;
        _statements = statements;
    }

    public ChatDbContext Db { get; }

    /// <summary>Marks a log entry for fan-out once the transaction has committed.</summary>
    public void Append(ChatMessage entry) => _effects.Add(entry);

    /// <summary>
    /// A plain SQL command on the writer's connection, inside its transaction, for set-based work EF would do a row at a
    /// time. The writer keeps it (compiled) for later batches: <paramref name="addParameters"/> runs only when it is made,
    /// the caller sets the values by position each time, and must not dispose it. So <paramref name="sql"/> must be one of
    /// a few fixed texts, never one that varies with the data (see AppendSql's padded lists).
    /// </summary>
    public DbCommand Statement(string sql, Action<DbCommand>? addParameters = null) =>
        _statements.Get(sql, Db.Database.CurrentTransaction?.GetDbTransaction(), addParameters, static (command, add) => add?.Invoke(command));

    /// <summary>As <see cref="Statement(string, Action{DbCommand})"/>, for a static lambda that needs a value (a list's padded length, say).</summary>
    public DbCommand Statement<TState>(string sql, TState state, Action<DbCommand, TState> addParameters) =>
        _statements.Get(sql, Db.Database.CurrentTransaction?.GetDbTransaction(), state, addParameters);

    /// <summary>
    /// On SQLite, <paramref name="sql"/> as a statement bound by position below Microsoft.Data.Sqlite, kept like
    /// <see cref="Statement(string, Action{DbCommand})"/>'s commands; null on PostgreSQL, where the caller uses a
    /// <see cref="Statement(string, Action{DbCommand})"/> of the same text. For the writer's few statements with many parameters.
    /// </summary>
    internal SqliteKeptStatement? SqliteStatement(string sql) => _statements.Sqlite(sql);

    /// <summary>Runs one of the writer's fixed statements that takes no parameters (a savepoint, say).</summary>
    internal async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        // Several a batch (its savepoints): on SQLite below Microsoft.Data.Sqlite, whose every execution costs more than the statement.
        if (SqliteStatement(sql) is { } statement)
        {
            while (statement.Step())
            {
            }

            return;
        }

        await Statement(sql).ExecuteNonQueryAsync(cancellationToken);
    }

    internal int EffectCount => _effects.Count;

    // The savepoint the writer opened for what runs now (a run, or a command alone) and where its effects start.
    private string _undoStatement = "";
    private int _undoEffectsFrom;

    /// <summary>The writer opened a savepoint for a run or a command alone; <paramref name="rollBackTo"/> returns to it.</summary>
    internal void BeginAttempt(string rollBackTo)
    {
        _undoStatement = rollBackTo;
        _undoEffectsFrom = EffectCount;
    }

    /// <summary>
    /// Undoes what the run (or the command alone) in progress wrote, back to the savepoint the writer opened for it, which
    /// stays open, and takes back what it staged. A <see cref="WriteRun"/> that must make its attempt again uses it, so
    /// the writer's savepoint serves it too: one of the run's own was two more statements per batch.
    /// </summary>
    internal async Task UndoAttemptAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync(_undoStatement, cancellationToken);
        Db.ChangeTracker.Clear();
        DropEffectsFrom(_undoEffectsFrom);
    }

    /// <summary>Takes back what a command (or run) that was rolled back had staged.</summary>
    internal void DropEffectsFrom(int start) => _effects.RemoveRange(start, _effects.Count - start);

    /// <summary>Marks any other live effect (a group change, say) for after the commit, in order with the entries.</summary>
    public void AfterCommit(object effect) => _effects.Add(effect);
}
