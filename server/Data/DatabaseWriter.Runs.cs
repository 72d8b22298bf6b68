using System.Data.Common;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Data;

/// <summary>How the writer runs a batch's commands: a run of one kind as a set, any other command alone in a savepoint of its own.</summary>
public sealed partial class DatabaseWriter
{
    /// <summary>Runs one command in a savepoint of its own, so a refusal leaves no trace while the rest of the batch commits.</summary>
    private async Task RunAloneAsync(WriteCommand command, WriteContext context, List<WriteCommand> succeeded, List<WriteCommand> putOff)
    {
        await context.ExecuteAsync(SaveCommand, CancellationToken.None);
        context.BeginAttempt(RollBackToCommand);
        try
        {
            await command.ExecuteAsync(context, CancellationToken.None);
            await context.ExecuteAsync(ReleaseCommand, CancellationToken.None);
            succeeded.Add(command);
            // Its changes are in the transaction now. Left tracked, every later command's SaveChanges would scan them again
            // (a batch of n joins cost n² in DetectChanges, which showed in a profile); a command that wrote with plain SQL
            // (a run's command, alone) leaves tracked entities stale besides.
            context.Db.ChangeTracker.Clear();
        }
        catch (Exception ex) when (ex is ChatException or DbUpdateException or DbException || LostLockRace(ex))
        {
            await context.UndoAttemptAsync(CancellationToken.None);
            await context.ExecuteAsync(ReleaseCommand, CancellationToken.None);
            // On PostgreSQL another node's batch may lock the same rooms in the other order: the database then picks
            // this command as the deadlock's victim. Trying again in this transaction would meet the same locks, so it
            // goes first in the next batch, once this one has committed and let go of them.
            if (LostLockRace(ex) && command.LockRetries < MaxLockRetries)
            {
                command.LockRetries++;
                putOff.Add(command);
                LogCommandPutOff(logger, command.GetType().Name, command.LockRetries);
                return;
            }

            if (ex is not ChatException)
            {
                LogCommandFailed(logger, ex, command.GetType().Name);
            }

            command.Fail(ex as ChatException ?? ChatException.Conflict("That change conflicts with stored data; nothing was stored."));
        }
    }

    /// <summary>
    /// A deadlock (40P01) or serialization failure (40001): nothing wrong with the command, only its timing. EF Core
    /// may wrap it (in DbUpdateException, or Npgsql's "likely due to a transient failure" InvalidOperationException).
    /// </summary>
    private static bool LostLockRace(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is DbException { SqlState: "40P01" or "40001" })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Runs a run of commands as a set. Its refusals are decided before it writes; the savepoint is only for a
    /// failure of the database itself, after which the caller runs the commands one at a time. Returns false then.
    /// </summary>
    private async Task<bool> TryRunAsync(WriteRun run, List<WriteCommand> commands, WriteContext context, List<WriteCommand> succeeded)
    {
        await context.ExecuteAsync(SaveRun, CancellationToken.None);
        context.BeginAttempt(RollBackToRun);
        ChatException?[] refusals;
        try
        {
            refusals = await run.ExecuteAsync(context, commands, CancellationToken.None);
            await context.ExecuteAsync(ReleaseRun, CancellationToken.None);
        }
        catch (Exception ex) when (ex is ChatException or DbUpdateException or DbException || LostLockRace(ex))
        {
            await context.UndoAttemptAsync(CancellationToken.None);
            await context.ExecuteAsync(ReleaseRun, CancellationToken.None);
            LogRunFailed(logger, ex, commands.Count, commands[0].GetType().Name);
            return false;
        }
        finally
        {
            // A run writes with plain SQL (a room's seq, say): entities tracked by earlier commands are stale now.
            context.Db.ChangeTracker.Clear();
        }

        for (var i = 0; i < commands.Count; i++)
        {
            if (refusals[i] is { } refusal)
            {
                commands[i].Fail(refusal);
            }
            else
            {
                succeeded.Add(commands[i]);
            }
        }

        return true;
    }
}
