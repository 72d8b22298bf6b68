using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using ChatApp.Contracts;
using ChatApp.Server.Errors;
using ChatApp.Server.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Data;

/// <summary>
/// The one writer of the database. Every change goes through its bounded queue; it takes what is
/// queued (up to a batch), runs its commands in one transaction (each run of consecutive commands that share a
/// <see cref="WriteRun"/> as one set, any other command alone in a savepoint) and commits once, so one fsync covers
/// the whole batch (group commit). Only after the commit does it hand the batch's live effects (appended
/// entries, group changes), in order, to <see cref="ICommittedEffects"/> (the live fan-out) and complete each caller's await.
/// </summary>
/// <remarks>
/// SQLite allows one writer at a time and its ADO.NET provider runs "async" calls synchronously, so
/// a single loop that owns every write avoids "database is locked" and keeps request threads free:
/// callers await a <see cref="TaskCompletionSource{TResult}"/>, which holds no thread.
/// </remarks>
public sealed partial class DatabaseWriter(
    IDbContextFactory<ChatDbContext> contexts,
    DatabaseFile file,
    ICommittedEffects live,
    ChatMetrics metrics,
    IOptions<WriterOptions> options,
    ILogger<DatabaseWriter> logger) : BackgroundService
{
    private readonly Channel<WriteCommand> _queue = Channel.CreateBounded<WriteCommand>(
        new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            // A full queue makes senders wait (backpressure); an accepted command is never dropped.
            FullMode = BoundedChannelFullMode.Wait,
        });

    /// <summary>Why the last batch failed to commit; null once one commits. Readiness reads it.</summary>
    public Exception? LastFailure { get; private set; }

    /// <summary>Queues a command and waits for it to be committed (or to fail).</summary>
    public async Task<T> SubmitAsync<T>(WriteCommand<T> command, CancellationToken cancellationToken)
    {
        metrics.WriteQueued(); // before, so the depth never dips below zero when the loop takes it at once
        try
        {
            await _queue.Writer.WriteAsync(command, cancellationToken);
        }
        catch (Exception ex)
        {
            metrics.WriteDequeued();
            if (ex is ChannelClosedException)
            {
                throw ChatException.Unavailable("The server is shutting down; nothing was stored. Try again in a moment.");
            }

            throw;
        }

        // Once queued the command runs even if this caller goes away: a retry with the same id finds it.
        return await command.Completion.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking commands, then let the loop drain what was accepted before the host stops.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    // Savepoints as plain statements both providers take, run through the writer's kept commands: EF's savepoint API
    // built and compiled a new command for each.
    private const string SaveCommand = "SAVEPOINT command", ReleaseCommand = "RELEASE SAVEPOINT command", RollBackToCommand = "ROLLBACK TO SAVEPOINT command";
    private const string SaveRun = "SAVEPOINT run", ReleaseRun = "RELEASE SAVEPOINT run", RollBackToRun = "ROLLBACK TO SAVEPOINT run";

    // The context, connection and compiled commands batches share (on SQLite); only the writer loop touches it.
    private WriterSession? _session;

    /// <summary>How often a command that lost a lock race (a deadlock between two nodes' batches) is put off before it fails.</summary>
    private const int MaxLockRetries = 3;

    // Commands put off by the last batch: they go first in the next one. Only the writer loop touches it.
    private readonly List<WriteCommand> _putOff = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<WriteCommand>(options.Value.MaxBatchSize);
        // Not stoppingToken: at shutdown the queue is completed instead, so accepted commands are still committed.
        while (_putOff.Count > 0 || await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            batch.AddRange(_putOff);
            _putOff.Clear();
            var taken = 0;
            while (batch.Count < options.Value.MaxBatchSize && _queue.Reader.TryRead(out var command))
            {
                batch.Add(command);
                taken++;
            }

            metrics.WriteDequeued(taken); // once per batch, as the commits below: not an instrument update per message

            await CommitBatchAsync(batch);
        }

        await CloseSessionAsync();
    }

    private async Task CloseSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    private async Task CommitBatchAsync(List<WriteCommand> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var effects = new List<object>();
        var succeeded = new List<WriteCommand>(batch.Count);
        var putOff = new List<WriteCommand>();
        try
        {
            var session = _session ??= await WriterSession.OpenAsync(contexts, CancellationToken.None);
            await using var transaction = await session.Db.Database.BeginTransactionAsync(CancellationToken.None);
            var context = new WriteContext(session.Db, effects, session.Statements);
            for (var start = 0; start < batch.Count;)
            {
                var run = batch[start].Run;
                var end = start + 1;
                while (run is not null && end < batch.Count && ReferenceEquals(batch[end].Run, run))
                {
                    end++;
                }

                if (run is null || !await TryRunAsync(run, batch.GetRange(start, end - start), context, succeeded))
                {
                    for (var i = start; i < end; i++)
                    {
                        await RunAloneAsync(batch[i], context, succeeded, putOff);
                    }
                }

                start = end;
            }

            // Checked last, just before the commit: an ack must mean the entry is in the file a restart will open.
            if (file.Problem() is { } problem)
            {
                throw new IOException(problem);
            }

            await transaction.CommitAsync(CancellationToken.None);
            LastFailure = null;
        }
        catch (Exception ex)
        {
            LastFailure = ex;
            // Whatever state the failure left the connection in, the next batch starts on a new one.
            await CloseSessionAsync();
            metrics.BatchCommitted(batch.Count, Stopwatch.GetElapsedTime(started), succeeded: false);
            LogBatchFailed(logger, ex, batch.Count);
            var failure = ChatException.Unavailable("The server could not store that; nothing was saved. Try again.");
            // Every command of the batch, including ones that never ran: none of it was stored.
            foreach (var command in batch)
            {
                command.Fail(failure);
            }

            return;
        }

        if (_session is { KeptAcrossBatches: false })
        {
            await CloseSessionAsync(); // after the transaction's own disposal, at the end of the try block
        }

        _putOff.AddRange(putOff); // after the commit: this batch's locks are released, so the next attempt can win

        // Queued before any caller resumes, so whatever a caller does next (announce a join, send again)
        // lands in the fan-out queue behind this batch's entries and group changes.
        live.Publish(effects);
        metrics.BatchCommitted(batch.Count, Stopwatch.GetElapsedTime(started), succeeded: true);
        foreach (var kind in effects.OfType<ChatMessage>().CountBy(entry => entry.Kind))
        {
            metrics.Committed(kind.Key, kind.Value);
        }

        foreach (var command in succeeded)
        {
            command.Complete();
        }
        if (logger.IsEnabled(LogLevel.Debug))
        {
            foreach (var entry in effects.OfType<ChatMessage>())
            {
                LogStored(logger, entry.Room, entry.Seq, entry.Kind, entry.Sender);
            }
        }

        LogBatchCommitted(logger, batch.Count, effects.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
