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

    /// <summary>Runs one of the writer's fixed statements that takes no parameters (a savepoint, say).</summary>
    internal async Task ExecuteAsync(string sql, CancellationToken cancellationToken) =>
        await Statement(sql).ExecuteNonQueryAsync(cancellationToken);

    internal int EffectCount => _effects.Count;

    /// <summary>Where the effects of the run in progress start; the writer sets it as it opens the run's savepoint.</summary>
    internal int RunEffectsStart { get; set; }

    /// <summary>
    /// For a <see cref="WriteRun"/> that must make its attempt again: undoes what the run wrote (back to the savepoint the
    /// writer opened for it, which stays open) and takes back what it staged. One savepoint serves the run this way; a
    /// second one of the run's own was two more statements per batch.
    /// </summary>
    internal async Task UndoRunAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync(DatabaseWriter.RollBackToRun, cancellationToken);
        Db.ChangeTracker.Clear();
        DropEffectsFrom(RunEffectsStart);
    }

    /// <summary>Takes back what a command (or run) that was rolled back had staged.</summary>
    internal void DropEffectsFrom(int start) => _effects.RemoveRange(start, _effects.Count - start);

    /// <summary>Marks any other live effect (a group change, say) for after the commit, in order with the entries.</summary>
    public void AfterCommit(object effect) => _effects.Add(effect);
}
