using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ChatApp.Server.Data;

/// <summary>
/// The thread the writer's loop runs on: a thread of its own, whose awaits resume on it (a one-thread
/// synchronization context), given precedence over the server's other threads where the system allows.
/// </summary>
/// <remarks>
/// The writer is the one serial stage every change passes through. SQLite's provider runs "async" calls
/// synchronously and a commit waits in fsync, so on the thread pool the loop holds a pool thread through every batch
/// anyway; and at ordinary priority, on a machine whose cores are busy (the fan-out, Kestrel, anything else), the
/// scheduler gives it the same share as every other runnable thread, so the queue grows while the writer waits for
/// a core rather than for the disk. A higher priority only lets it run sooner: it still blocks in fsync and sleeps
/// when the queue is empty, so it never takes more than its work.
/// </remarks>
internal sealed partial class WriterThread : SynchronizationContext
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _work = new();

    private WriterThread()
    {
    }

    /// <summary>
    /// Runs <paramref name="loop"/> on a new thread named <paramref name="name"/> until its task ends. <paramref name="nice"/>
    /// below 0 raises the thread's priority (Linux: its nice value, which needs CAP_SYS_NICE; Windows: above normal).
    /// </summary>
    public static Task RunAsync(string name, int nice, Func<Task> loop, ILogger logger)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => Run(nice, loop, logger, done)) { Name = name, IsBackground = true };
        thread.Start();
        return done.Task;
    }

    private static void Run(int nice, Func<Task> loop, ILogger logger, TaskCompletionSource done)
    {
        var context = new WriterThread();
        SetSynchronizationContext(context);
        RaisePriority(nice, logger);
        Task running;
        try
        {
            running = loop();
        }
        catch (Exception ex)
        {
            done.SetException(ex);
            return;
        }

        running.ContinueWith(_ => context._work.CompleteAdding(), TaskScheduler.Default);
        // This thread's message loop: it waits here for the loop's next continuation, as a dedicated thread should.
        foreach (var (callback, state) in context._work.GetConsumingEnumerable())
        {
            callback(state);
        }

        if (running.Exception is { } failure)
        {
            done.SetException(failure.InnerExceptions);
        }
        else
        {
            done.SetResult();
        }
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        if (!_work.TryAdd((d, state)))
        {
            // The loop has ended (a late continuation of something it started): anywhere will do.
            ThreadPool.QueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: false);
        }
    }

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("The writer's thread takes posted work only.");

    public override SynchronizationContext CreateCopy() => this;

    private static void RaisePriority(int nice, ILogger logger)
    {
        if (nice >= 0)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Thread.CurrentThread.Priority = ThreadPriority.AboveNormal;
        }
        else if (OperatingSystem.IsLinux())
        {
            // .NET's Thread.Priority does nothing on Linux; a thread's nice value is its own there (setpriority on its id).
            if (setpriority(PrioProcess, gettid(), nice) != 0)
            {
                LogPriorityRefused(logger, nice, Marshal.GetLastPInvokeError());
                return;
            }
        }
        else
        {
            return;
        }

        LogPriorityRaised(logger, nice);
    }

    private const int PrioProcess = 0;

    // Plain ints both ways, so no marshalling (and no unsafe code for LibraryImport's generated stubs).
    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();

    [LoggerMessage(Level = LogLevel.Information, Message = "The database writer runs at raised priority (nice {Nice})")]
    private static partial void LogPriorityRaised(ILogger logger, int nice);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database writer could not raise its priority to nice {Nice} (errno {Errno}; it needs CAP_SYS_NICE): it runs at normal priority")]
    private static partial void LogPriorityRefused(ILogger logger, int nice, int errno);
}
