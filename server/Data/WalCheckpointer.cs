using System.Diagnostics;
using System.Diagnostics.Metrics;
using ChatApp.Server.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace ChatApp.Server.Data;

/// <summary>
/// Copies the SQLite WAL into the database file on a connection of its own, so the writer's commits stop paying for it
/// (see <see cref="CheckpointOptions"/>), and checkpoints the whole WAL away when the server stops cleanly.
/// </summary>
/// <remarks>
/// PASSIVE, because it is the only mode that never takes the write lock: a writer that found the lock taken would get
/// SQLITE_BUSY, and Microsoft.Data.Sqlite answers that by sleeping 150 ms before it tries again, a stall of its own.
/// A PASSIVE checkpoint that meets the writer's (at its wal_autocheckpoint) returns busy at once; either one copies,
/// neither waits. Registered before the writer: hosted services stop in reverse order, so the last checkpoint runs
/// after the writer's last commit.
/// </remarks>
public sealed partial class WalCheckpointer(
    IOptions<StorageOptions> storage,
    IOptions<CheckpointOptions> options,
    IHostEnvironment environment,
    IMeterFactory meters,
    ILogger<WalCheckpointer> logger) : BackgroundService
{
    private readonly Histogram<double> _duration = meters.Create(ChatMetrics.MeterName).CreateHistogram<double>(
        "chatapp.sqlite.checkpoint.duration", "s", "Time of one background WAL checkpoint that copied pages (its fsyncs included)");

    private readonly Counter<long> _pages = meters.Create(ChatMetrics.MeterName).CreateCounter<long>(
        "chatapp.sqlite.checkpoint.pages", "{page}", "WAL frames the background checkpoint copied into the database file");

    private readonly string _path = DataExtensions.ResolvePath(environment, storage.Value.DatabasePath);
    private SqliteConnection? _connection;
    private (long Log, long Checkpointed) _last;
    private long _pagesCopied;

    /// <summary>Frames the background checkpoints have copied into the database file since the server started.</summary>
    public long PagesCopied => Interlocked.Read(ref _pagesCopied);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Background || storage.Value.Provider != StorageProvider.Sqlite)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.IntervalMilliseconds));
        var notWal = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // Opened at the first tick, not at start: whoever makes the database (the initializer, or the durable
                    // bare hub's writer) may still be at it, and this connection must not create an empty file first.
                    if (_connection is null && !File.Exists(_path))
                    {
                        continue;
                    }

                    _connection ??= await OpenAsync(stoppingToken);
                    if (Checkpoint(_connection, raw.SQLITE_CHECKPOINT_PASSIVE) is { Busy: false, Log: < 0 })
                    {
                        if (!notWal)
                        {
                            notWal = true; // an in-memory or rollback-journal database: nothing to copy (yet)
                            LogNotWal(logger);
                        }

                        // A connection sees that another made the file WAL only when it next reads: read, so the next tick can copy.
                        await using var read = _connection.CreateCommand();
                        read.CommandText = "SELECT count(*) FROM sqlite_master;";
                        await read.ExecuteScalarAsync(stoppingToken);
                    }
                }
                catch (SqliteException ex)
                {
                    LogCheckpointFailed(logger, ex, "PASSIVE");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the last checkpoint is StopAsync's.
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false, // its own handle for the life of the server, never handed to a reader
        }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var setup = connection.CreateCommand();
            // FULL: the checkpoint fsyncs the WAL before it copies and the database file after, as the writer's did.
            // busy_timeout only matters for the TRUNCATE at shutdown (PASSIVE never waits): it waits for a reader to finish.
            setup.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=2000;";
            await setup.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken); // the loop has ended: the connection is this method's alone
        if (_connection is not { } connection)
        {
            return;
        }

        try
        {
            // The writer has stopped (it was registered after this, so it stopped first): copy everything and empty the
            // WAL, so a clean stop leaves the database in its file and the next start has no WAL to recover.
            var result = Checkpoint(connection, raw.SQLITE_CHECKPOINT_TRUNCATE);
            LogFinalCheckpoint(logger, !result.Busy, result.Checkpointed, result.Log);
        }
        catch (SqliteException ex)
        {
            LogCheckpointFailed(logger, ex, "TRUNCATE");
        }
        finally
        {
            await connection.DisposeAsync();
            _connection = null;
        }
    }

    /// <summary>One checkpoint through SQLite's own call: a PRAGMA would run through Microsoft.Data.Sqlite's busy loop.</summary>
    private (bool Busy, long Log, long Checkpointed) Checkpoint(SqliteConnection connection, int mode)
    {
        var started = Stopwatch.GetTimestamp();
        var rc = raw.sqlite3_wal_checkpoint_v2(connection.Handle, "main", mode, out var log, out var checkpointed);
        if (rc == raw.SQLITE_BUSY)
        {
            return (true, log, checkpointed); // the writer's own checkpoint is running (or, at the end, a reader): next time
        }

        SqliteException.ThrowExceptionForRC(rc, connection.Handle);

        // Frames count from the WAL's start, which moves back to 0 whenever the writer restarts it.
        var copied = log < _last.Log ? checkpointed : checkpointed - _last.Checkpointed;
        _last = (log, checkpointed);
        if (copied > 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _pages.Add(copied);
            Interlocked.Add(ref _pagesCopied, copied);
        }

        return (false, log, checkpointed);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The {Mode} WAL checkpoint failed; the writer's own checkpoint still bounds the WAL")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string mode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Final WAL checkpoint: complete {Complete}, {Checkpointed} of {Frames} frames copied")]
    private static partial void LogFinalCheckpoint(ILogger logger, bool complete, long checkpointed, long frames);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "The database is not in WAL mode; no background checkpoints until it is")]
    private static partial void LogNotWal(ILogger logger);
}
