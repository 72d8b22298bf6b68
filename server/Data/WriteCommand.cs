namespace ChatApp.Server.Data;

/// <summary>A change to the database, run by the <see cref="DatabaseWriter"/> inside its batch transaction.</summary>
public abstract class WriteCommand
{
    /// <summary>Set for commands that run together with their queued neighbours of the same kind; null runs this one alone.</summary>
    public virtual WriteRun? Run => null;

    /// <summary>Times this command lost a lock race with another node's transaction and was put off to the next batch.</summary>
    internal int LockRetries { get; set; }

    internal abstract Task ExecuteAsync(WriteContext context, CancellationToken cancellationToken);

    internal abstract void Complete();

    internal abstract void Fail(Exception exception);
}

/// <summary>A command with a result that its caller awaits; the result is released only after the commit.</summary>
public abstract class WriteCommand<T> : WriteCommand
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Completion => _completion.Task;

    /// <summary>Validates against stored data, stages changes, calls SaveChanges last, and returns the result.</summary>
    protected abstract Task<T> RunAsync(WriteContext context, CancellationToken cancellationToken);

    /// <summary>For a <see cref="WriteRun"/>: the result this command acks with once the batch commits.</summary>
    internal void SetResult(T result) => _result = result;

    internal override async Task ExecuteAsync(WriteContext context, CancellationToken cancellationToken) =>
        _result = await RunAsync(context, cancellationToken);

    // RunAsync returned (or the run set it), so _result holds its value (which may legitimately be null for reference T).
    internal override void Complete() => _completion.TrySetResult(_result!);

    internal override void Fail(Exception exception) => _completion.TrySetException(exception);
}
