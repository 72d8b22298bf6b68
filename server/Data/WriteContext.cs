using System.Data.Common;
using ChatApp.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ChatApp.Server.Data;

/// <summary>What a command sees while it runs inside the writer's transaction.</summary>
public sealed class WriteContext(ChatDbContext db, List<object> effects)
{
    public ChatDbContext Db { get; } = db;

    /// <summary>Marks a log entry for fan-out once the transaction has committed.</summary>
    public void Append(ChatMessage entry) => effects.Add(entry);

    /// <summary>
    /// A plain SQL command on the writer's connection, inside its transaction, for set-based work EF would do a row
    /// at a time. Re-executing one command with new parameter values reuses its compiled statement.
    /// </summary>
    public DbCommand Command(string sql)
    {
        var command = Db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = Db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    internal int EffectCount => effects.Count;

    /// <summary>Takes back what a command (or run) that was rolled back had staged.</summary>
    internal void DropEffectsFrom(int start) => effects.RemoveRange(start, effects.Count - start);

    /// <summary>Marks any other live effect (a group change, say) for after the commit, in order with the entries.</summary>
    public void AfterCommit(object effect) => effects.Add(effect);
}
