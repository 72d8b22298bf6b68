using System.Diagnostics;
using System.Text;
using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Rooms;
using Microsoft.Data.Sqlite;

namespace ChatApp.Bench.WriterBench;

/// <param name="RowsPerCommit">Rows per transaction (one fsync each): the group-commit batch size.</param>
/// <param name="RowsPerStatement">Rows per prepared INSERT statement (a multi-row VALUES list).</param>
public sealed record CeilingResult(int RowsPerCommit, int RowsPerStatement, bool Search, long Rows, double Seconds, double RowsPerSecond,
    double MeanCommitMs, double CpuMicrosecondsPerRow);

/// <summary>What one commit costs with nothing in it but a one-row update, and what a bare fsync of a file costs.</summary>
public sealed record FsyncResult(int Commits, double CommitMs, int Fsyncs, double FsyncMs);

/// <summary>
/// The physical bound ChatApp's writer is compared with: SQLite alone, through Microsoft.Data.Sqlite, on the server's own
/// schema (every index, the foreign keys, the FTS5 insert trigger) and pragmas (WAL, synchronous=FULL), inserting the
/// rows a send stores, with raw prepared multi-row statements and one transaction per N rows. No checks, no seqs to
/// take, no acks: whatever ChatApp adds to a durable send is the distance between its figure and this one.
/// </summary>
public static class SqliteCeiling
{
    private const int Users = 64;
    private static readonly (int PerCommit, int PerStatement)[] Cases =
        [(1, 1), (64, 1), (64, 16), (64, 64), (256, 1), (256, 8), (256, 16), (256, 32), (256, 64), (256, 256), (1024, 1), (1024, 16), (1024, 256)];

    public static async Task<(List<CeilingResult> Results, FsyncResult Fsync)> RunAsync(WriterSettings settings)
    {
        var folder = Directory.CreateTempSubdirectory("chatapp-writerceiling-");
        try
        {
            var template = await CreateTemplateAsync(folder.FullName, settings.Rooms);
            var results = new List<CeilingResult>();
            foreach (var (perCommit, perStatement) in Cases)
            {
                var path = Path.Combine(folder.FullName, $"case-{perCommit}-{perStatement}.db");
                File.Copy(template, path);
                results.Add(await InsertAsync(path, perCommit, perStatement, settings));
                SqliteConnection.ClearAllPools();
                foreach (var file in Directory.GetFiles(folder.FullName, Path.GetFileName(path) + "*"))
                {
                    File.Delete(file); // the next case starts from the template again, with no index grown by this one
                }
            }

            return (results, await FsyncAsync(template, folder.FullName, settings));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A database made by the server itself (its migrations), with the users and rooms the rows refer to.</summary>
    private static async Task<string> CreateTemplateAsync(string folder, int rooms)
    {
        using (var host = WriterRun.BuildHost(folder, maxBatch: 256))
        {
            await host.StartAsync();
            var writer = host.Services.GetRequiredService<DatabaseWriter>();
            var now = DateTimeOffset.UtcNow;
            var owner = await writer.SubmitAsync(new RegisterUser("ceiling0000", "not-a-real-hash", now), CancellationToken.None);
            for (var i = 1; i < Users; i++)
            {
                await writer.SubmitAsync(new RegisterUser($"ceiling{i:D4}", "not-a-real-hash", now), CancellationToken.None);
            }

            for (var r = 0; r < rooms; r++)
            {
                await writer.SubmitAsync(new CreateRoom(owner, $"ceiling-{r}", isPrivate: false, now), CancellationToken.None);
            }

            await host.StopAsync();
        }

        SqliteConnection.ClearAllPools(); // the last connection to close checkpoints the WAL into the file copied next
        var template = Path.Combine(folder, "template.db");
        File.Move(WriterRun.DatabasePath(folder), template);
        return template;
    }

    private static async Task<SqliteConnection> OpenAsync(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<CeilingResult> InsertAsync(string path, int perCommit, int perStatement, WriterSettings settings)
    {
        await using var connection = await OpenAsync(path);
        if (!settings.Search)
        {
            await ExecuteAsync(connection, "DROP TRIGGER LogEntries_Search_Insert");
        }

        var roomIds = await IdsAsync(connection, "SELECT Id FROM Rooms WHERE Name LIKE 'ceiling-%' ORDER BY Id");
        var userIds = await IdsAsync(connection, "SELECT Id FROM Users ORDER BY Id");
        var seqs = new long[roomIds.Count];
        await using var insert = InsertCommand(connection, perStatement);
        var text = new string('x', 48);
        var rows = 0L;
        var commitTicks = 0L;
        var commits = 0L;
        var cpuAtStart = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (settings.Seconds * Stopwatch.Frequency);
        while (rows + perCommit <= settings.Messages && Stopwatch.GetTimestamp() < stopAt)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            insert.Transaction = transaction;
            for (var inCommit = 0; inCommit < perCommit; inCommit += perStatement)
            {
                for (var row = 0; row < perStatement; row++)
                {
                    var i = rows + inCommit + row;
                    var room = (int)(i % roomIds.Count);
                    var p = row * 7;
                    insert.Parameters[p].Value = roomIds[room];
                    insert.Parameters[p + 1].Value = ++seqs[room];
                    insert.Parameters[p + 2].Value = userIds[(int)(i % userIds.Count)];
                    insert.Parameters[p + 3].Value = EntryKinds.Message;
                    insert.Parameters[p + 4].Value = text;
                    insert.Parameters[p + 5].Value = $"c{i}";
                    insert.Parameters[p + 6].Value = DateTimeOffset.UtcNow;
                }

                // The ids are read back, as a send needs them for its ack.
                await using var reader = await insert.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    _ = reader.GetInt64(0);
                }
            }

            var commitStarted = Stopwatch.GetTimestamp();
            await transaction.CommitAsync();
            commitTicks += Stopwatch.GetTimestamp() - commitStarted;
            commits++;
            rows += perCommit;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = Environment.CpuUsage.TotalTime - cpuAtStart;
        return new CeilingResult(perCommit, perStatement, settings.Search, rows, seconds, rows / seconds,
            commits == 0 ? 0 : commitTicks * 1000.0 / Stopwatch.Frequency / commits, rows == 0 ? double.NaN : cpu.TotalMicroseconds / rows);
    }

    private static SqliteCommand InsertCommand(SqliteConnection connection, int rows)
    {
        var command = connection.CreateCommand();
        var sql = new StringBuilder("INSERT INTO LogEntries (RoomId, Seq, SenderId, Kind, Text, ClientMessageId, SentAt) VALUES ");
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "" : ", ").Append($"(@p{row}_0, @p{row}_1, @p{row}_2, @p{row}_3, @p{row}_4, @p{row}_5, @p{row}_6)");
            for (var column = 0; column < 7; column++)
            {
                command.Parameters.Add(new SqliteParameter($"@p{row}_{column}", DBNull.Value));
            }
        }

        command.CommandText = sql.Append(" RETURNING Id").ToString();
        return command;
    }

    private static async Task<List<long>> IdsAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>
    /// The floor under any durable commit on this disk: a transaction that changes one row (one WAL append and its
    /// fsync), and a bare 4 KB write plus fsync of a plain file next to the database.
    /// </summary>
    // Synchronous on purpose: fsync has no async form, and the bench measures exactly this call.
    private static void WriteAndFsync(FileStream file, byte[] block)
    {
        file.Write(block);
        file.Flush(flushToDisk: true);
    }

    private static async Task<FsyncResult> FsyncAsync(string template, string folder, WriterSettings settings)
    {
        var budget = TimeSpan.FromSeconds(Math.Min(settings.Seconds, 10));
        var path = Path.Combine(folder, "fsync.db");
        File.Copy(template, path);
        int commits = 0;
        var started = Stopwatch.GetTimestamp();
        await using (var connection = await OpenAsync(path))
        {
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE Rooms SET LastSeq = LastSeq + 1 WHERE Id = (SELECT min(Id) FROM Rooms)";
            while (commits < 2_000 && Stopwatch.GetElapsedTime(started) < budget)
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                update.Transaction = transaction;
                await update.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
                commits++;
            }
        }

        var commitMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds / commits;
        var fsyncs = 0;
        var block = new byte[4096];
        started = Stopwatch.GetTimestamp();
        await using (var file = new FileStream(Path.Combine(folder, "fsync.bin"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            while (fsyncs < 2_000 && Stopwatch.GetElapsedTime(started) < budget)
            {
                WriteAndFsync(file, block);
                fsyncs++;
            }
        }

        return new FsyncResult(commits, commitMs, fsyncs, Stopwatch.GetElapsedTime(started).TotalMilliseconds / fsyncs);
    }
}

/// <summary>Runs <see cref="SqliteCeiling"/> and prints (and writes) what it found.</summary>
public static class SqliteCeilingReport
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(WriterSettings settings)
    {
        Console.WriteLine($"== SQLite alone (server schema, WAL, synchronous=FULL{(settings.Search ? "" : ", search trigger dropped")}): at most {settings.Messages} rows and {settings.Seconds} s a case");
        var (results, fsync) = await SqliteCeiling.RunAsync(settings);
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"   {r.RowsPerCommit,5} rows/commit, {r.RowsPerStatement,4} rows/statement: {r.Rows} rows in {r.Seconds:F2} s = {r.RowsPerSecond:F0} rows/s; mean commit {r.MeanCommitMs:F2} ms; CPU {r.CpuMicrosecondsPerRow:F1} µs/row"));
        }

        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"   a one-row commit: {fsync.CommitMs:F3} ms ({fsync.Commits} commits); a 4 KB write + fsync of a plain file: {fsync.FsyncMs:F3} ms ({fsync.Fsyncs})"));
        if (settings.Json is { } json)
        {
            await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(new { settings.Messages, settings.Rooms, settings.Search, Ceiling = results, Fsync = fsync }, Json));
        }

        return results.All(r => r.Rows > 0) ? 0 : 1;
    }
}
