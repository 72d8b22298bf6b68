using System.Threading.Channels;
using ChatApp.Contracts;

namespace ChatApp.Client;

/// <summary>
/// Delivers every entry of the followed rooms' logs exactly once and in seq order, across reconnects.
/// </summary>
/// <remarks>
/// The protocol from docs/protocol.md: live events are subscribed before anything is fetched and queue
/// up in a channel; one loop owns all state and handles the queue in order. Catching up a room streams
/// <c>StreamMessagesSince(room, lastSeq)</c> while live events wait in the queue; afterwards they are
/// applied when they are the next seq and dropped when at or below it. A live event that skips a seq
/// (missed while a group was being joined, say) triggers the same catch-up, so gaps heal themselves.
/// </remarks>
public sealed class RoomFollower : IAsyncDisposable
{
    private readonly ChatConnection _connection;
    private readonly Func<ChatMessage, CancellationToken, Task> _apply;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, long> _lastSeq = new(StringComparer.OrdinalIgnoreCase);
    private readonly IDisposable _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="apply">Called once per entry, in seq order per room, on the follower's single loop.</param>
    public RoomFollower(ChatConnection connection, Func<ChatMessage, CancellationToken, Task> apply)
    {
        _connection = connection;
        _apply = apply;
        _subscription = connection.Subscribe(new LiveEntries(this));
        connection.Hub.Reconnected += _ =>
        {
            _work.Writer.TryWrite(new CatchUpAll());
            return Task.CompletedTask;
        };
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>Raised (on the loop) when a catch-up fails, e.g. because the connection dropped again; the next reconnect retries.</summary>
    public event Action<string, Exception>? CatchUpFailed;

    /// <summary>Starts following a room from after <paramref name="afterSeq"/>; completes once it has caught up.</summary>
    public Task FollowAsync(string room, long afterSeq, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Writer.TryWrite(new Follow(room, afterSeq, done));
        return done.Task.WaitAsync(cancellationToken);
    }

    public Task UnfollowAsync(string room, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Writer.TryWrite(new Unfollow(room, done));
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The rooms followed and the last seq applied in each (a snapshot, taken on the loop).</summary>
    public async Task<IReadOnlyDictionary<string, long>> PositionsAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<IReadOnlyDictionary<string, long>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Writer.TryWrite(new Snapshot(done));
        return await done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var work in _work.Reader.ReadAllAsync(cancellationToken))
        {
            switch (work)
            {
                case Live(var entry):
                    await ApplyLiveAsync(entry, cancellationToken);
                    break;
                case Follow(var room, var afterSeq, var done):
                    _lastSeq[room] = afterSeq;
                    await CatchUpAsync(room, cancellationToken);
                    done.TrySetResult();
                    break;
                case Unfollow(var room, var done):
                    _lastSeq.Remove(room);
                    done.TrySetResult();
                    break;
                case CatchUpAll:
                    foreach (var room in _lastSeq.Keys.ToList())
                    {
                        await CatchUpAsync(room, cancellationToken);
                    }

                    break;
                case Snapshot(var done):
                    done.TrySetResult(new Dictionary<string, long>(_lastSeq, StringComparer.OrdinalIgnoreCase));
                    break;
            }
        }
    }

    private async Task ApplyLiveAsync(ChatMessage entry, CancellationToken cancellationToken)
    {
        if (!_lastSeq.TryGetValue(entry.Room, out var last) || entry.Seq <= last)
        {
            return; // not followed, or already applied (from the catch-up stream or a duplicate)
        }

        if (entry.Seq == last + 1)
        {
            await _apply(entry, cancellationToken);
            _lastSeq[entry.Room] = entry.Seq;
            return;
        }

        await CatchUpAsync(entry.Room, cancellationToken); // a gap: fetch what is missing, this entry included
    }

    private async Task CatchUpAsync(string room, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var entry in _connection.StreamMessagesSinceAsync(room, _lastSeq[room], cancellationToken))
            {
                if (entry.Seq > _lastSeq[room])
                {
                    await _apply(entry, cancellationToken);
                    _lastSeq[room] = entry.Seq;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            CatchUpFailed?.Invoke(room, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        _work.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // The loop was stopped on purpose.
        }

        _stop.Dispose();
    }

    private abstract record Work;

    private sealed record Live(ChatMessage Entry) : Work;

    private sealed record Follow(string Room, long AfterSeq, TaskCompletionSource Done) : Work;

    private sealed record Unfollow(string Room, TaskCompletionSource Done) : Work;

    private sealed record CatchUpAll : Work;

    private sealed record Snapshot(TaskCompletionSource<IReadOnlyDictionary<string, long>> Done) : Work;

    /// <summary>Feeds the log events into the queue; the other events are left to other subscribers.</summary>
    private sealed class LiveEntries(RoomFollower follower) : ChatEvents
    {
        protected override Task OnEntry(ChatMessage entry)
        {
            follower._work.Writer.TryWrite(new Live(entry));
            return Task.CompletedTask;
        }
    }
}
