using ChatApp.Server.Errors;

namespace ChatApp.Server.Data;

/// <summary>
/// Runs a run of consecutive queued commands of one kind as a set: a few statements for the whole run instead of
/// several per command. The writer hands it every run of commands whose <see cref="WriteCommand.Run"/> is this
/// instance, in queue order, inside its transaction; commands of other kinds between runs keep queue order.
/// </summary>
/// <remarks>
/// A run decides every refusal before it writes, so a refused command leaves no trace without a savepoint of
/// its own. If the database itself fails the run (a constraint another node won, say), the writer rolls the
/// run back and runs its commands one at a time instead, so one bad command never takes its neighbours with it.
/// </remarks>
public abstract class WriteRun
{
    /// <summary>
    /// Runs <paramref name="commands"/> (all of this run's kind) in queue order. Returns, per command, null when it
    /// succeeded (its result is set and its live effects staged on <paramref name="context"/>) or the refusal to give it.
    /// </summary>
    public abstract Task<ChatException?[]> ExecuteAsync(WriteContext context, IReadOnlyList<WriteCommand> commands, CancellationToken cancellationToken);
}
