using System.Diagnostics;
using System.Threading.Channels;
using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>
/// The one writer loop: takes what is queued (up to a batch), stores it in one transaction (one fsync), then hands the
/// new entries to the fan-out in seq order and completes the acks. No checks: membership, limits and validation are
/// what ChatApp adds, and this is the bound without them.
/// </summary>
public sealed partial class DurableWriter(IOptions<BaselineOptions> options, DurableFanout fanout, DurableStats stats, ILogger<DurableWriter> logger)
    : BackgroundService
{
    private readonly Channel<WriteItem> _queue = Channel.CreateBounded<WriteItem>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private DurableStatements? _statements;

    /// <summary>Queues a send and returns its stored entry once committed (a retry's original, if it was stored before).</summary>
    public async Task<ChatMessage> SendAsync(PendingSend send, CancellationToken cancellationToken)
    {
        await _queue.Writer.WriteAsync(new WriteItem(send, null), cancellationToken);
        return await send.Done.Task;
    }

    /// <summary>Runs set-up work in a transaction of its own, between batches.</summary>
    public async Task<T> RunAloneAsync<T>(Func<DurableStatements, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        T result = default!; // set by the work before Done completes
        var alone = new AloneWork(async (statements, ct) => result = await work(statements, ct));
        await _queue.Writer.WriteAsync(new WriteItem(null, alone), cancellationToken);
        await alone.Done.Task;
        return result;
    }

    /// <summary>Before Kestrel starts: a database that cannot be made (or opened) stops the process with the reason.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(options.Value.DatabasePath);
        await DurableSchema.CreateAsync(path, cancellationToken);
        _statements = await DurableStatements.OpenAsync(path, cancellationToken);
        LogReady(logger, path, options.Value.MaxBatchSize);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        if (_statements is not null)
        {
            await _statements.DisposeAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var statements = _statements!; // StartAsync opened it before this runs
        var reader = _queue.Reader;
        var sends = new List<PendingSend>(options.Value.MaxBatchSize);
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            while (sends.Count < options.Value.MaxBatchSize && reader.TryRead(out var item))
            {
                if (item.Send is { } send)
                {
                    sends.Add(send);
                    continue;
                }

                await FlushAsync(statements, sends); // what was queued before it goes first
                await RunAloneAsync(statements, item.Alone!); // a WriteItem holds one or the other
            }

            await FlushAsync(statements, sends);
        }
    }

    private async Task FlushAsync(DurableStatements statements, List<PendingSend> sends)
    {
        if (sends.Count > 0)
        {
            await CommitBatchAsync(statements, sends);
            sends.Clear();
        }
    }

    private async Task RunAloneAsync(DurableStatements statements, AloneWork alone)
    {
        try
        {
            await statements.Begin.ExecuteNonQueryAsync(CancellationToken.None);
            await alone.Run(statements, CancellationToken.None);
            await statements.Commit.ExecuteNonQueryAsync(CancellationToken.None);
            alone.Done.TrySetResult();
        }
        catch (Exception ex)
        {
            await RollBackAsync(statements);
            alone.Done.TrySetException(ex);
        }
    }

    // Writer operations take no token: a batch begun is finished or rolled back whole, never abandoned half way.
    private async Task CommitBatchAsync(DurableStatements statements, List<PendingSend> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var (unique, retriesInBatch) = DurableBatch.Dedupe(batch);
        long commitTicks;
        try
        {
            var now = DateTimeOffset.UtcNow;
            await statements.Begin.ExecuteNonQueryAsync(CancellationToken.None);
            if (!await DurableBatch.StoreAsync(statements, unique, now))
            {
                // A retry of a send stored by an earlier batch: its seq was taken, so the attempt is rolled back and made
                // again without it. Rare (a lost ack), so the common path never looks anything up.
                await statements.Rollback.ExecuteNonQueryAsync(CancellationToken.None);
                await statements.Begin.ExecuteNonQueryAsync(CancellationToken.None);
                var fresh = await DurableBatch.FindOriginalsAsync(statements, unique);
                if (!await DurableBatch.StoreAsync(statements, fresh, now))
                {
                    throw new InvalidOperationException("A send was stored twice within one transaction.");
                }
            }

            var commitStarted = Stopwatch.GetTimestamp();
            await statements.Commit.ExecuteNonQueryAsync(CancellationToken.None);
            commitTicks = Stopwatch.GetTimestamp() - commitStarted;
        }
        catch (Exception ex)
        {
            await RollBackAsync(statements);
            stats.Failed();
            LogBatchFailed(logger, ex, batch.Count);
            var failure = new HubException("The message was not stored; send it again.");
            foreach (var send in batch)
            {
                send.Done.TrySetException(failure);
            }

            return;
        }

        // The fan-out first, in batch order (so seq order per room), then the acks: a sender's next send lands behind these.
        foreach (var send in unique)
        {
            if (send.IsNew)
            {
                send.Room.LastSeq = send.Seq;
                fanout.Publish(send.Result!); // set by StoreAsync or FindOriginalsAsync
            }
        }

        foreach (var send in unique)
        {
            send.Done.TrySetResult(send.Result!);
        }

        foreach (var (retry, first) in retriesInBatch)
        {
            retry.Done.TrySetResult(first.Result!);
        }

        stats.Committed(unique.Count(send => send.IsNew), commitTicks, Stopwatch.GetTimestamp() - started);
    }

    private async Task RollBackAsync(DurableStatements statements)
    {
        try
        {
            await statements.Rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogRollbackFailed(logger, ex); // no transaction was open (BEGIN itself failed): nothing to undo
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Durable baseline: writer ready on {Path}, batches of up to {MaxBatch}")]
    private static partial void LogReady(ILogger logger, string path, int maxBatch);

    [LoggerMessage(Level = LogLevel.Error, Message = "Durable baseline: a batch of {Count} sends failed; none was stored")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Durable baseline: rollback failed")]
    private static partial void LogRollbackFailed(ILogger logger, Exception exception);
}
