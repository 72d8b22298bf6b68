using System.Diagnostics;
using System.Globalization;
using System.Text;
using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Rooms;
using Microsoft.Data.Sqlite;

namespace ChatApp.Bench.WriterBench;

/// <param name="RowsPerCommit">Sends per transaction (one fsync each): the writer's batch.</param>
public sealed record BoundResult(int RowsPerCommit, long Rows, double Seconds, double RowsPerSecond, double MeanCommitMs, double CpuMicrosecondsPerRow);

/// <summary>
/// The least a writer with ChatApp's guarantees must do on this SQLite, with raw kept statements and nothing else: per
/// batch BEGIN IMMEDIATE; one membership query for the batch's (room, sender) pairs (OR-ed pairs, padded as the writer
/// pads them); per room, in id order, the seq update that takes the batch's seqs (RETURNING the last seq and the member
/// version); the new entries 16 rows a statement with ON CONFLICT (sender, clientMessageId) DO NOTHING RETURNING (id,
/// room, seq); COMMIT. Unlike <see cref="SqliteCeiling"/> (inserts only) it pays every statement a send's checks,
/// seq and idempotency need; unlike ChatApp's writer it has no room lookup by name, no savepoints, no EF, no queue, no
/// callers and no acks. The distance between the two is what ChatApp's own code costs a send.
/// </summary>
public static class WriterBound
{
    private const int InsertRows = 16, ListChunk = 200;
    private static readonly int[] ListSizes = [1, 2, 4, 8, 16, 32, 64, 128, ListChunk];
    private static readonly int[] Cases = [1, 32, 64, 256];
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(WriterSettings settings)
    {
        Console.WriteLine($"== the bound: a writer's statements alone (BEGIN, memberships, seqs, 16-row inserts with RETURNING, COMMIT), {settings.Callers} senders over {settings.Rooms} rooms, at most {settings.Messages} sends and {settings.Seconds} s a case{(settings.Search ? "" : ", search trigger dropped")}");
        var folder = Directory.CreateTempSubdirectory("chatapp-writerbound-");
        var results = new List<BoundResult>();
        try
        {
            var template = await CreateTemplateAsync(folder.FullName, settings);
            // A first case, not reported, for the JIT: the first case measured paid for its compiling (~1 ms a send at 1 a commit).
            var warmUp = Path.Combine(folder.FullName, "warm-up.db");
            File.Copy(template, warmUp);
            await RunCaseAsync(warmUp, 64, settings with { Seconds = Math.Min(settings.Seconds, 3) });
            foreach (var perCommit in Cases)
            {
                var path = Path.Combine(folder.FullName, $"bound-{perCommit}.db");
                File.Copy(template, path);
                var result = await RunCaseAsync(path, perCommit, settings);
                results.Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   {perCommit,4} sends/commit: {result.Rows} in {result.Seconds:F2} s = {result.RowsPerSecond:F0} sends/s; mean commit {result.MeanCommitMs:F2} ms; CPU {result.CpuMicrosecondsPerRow:F1} µs/send"));
                SqliteConnection.ClearAllPools();
                foreach (var file in Directory.GetFiles(folder.FullName, Path.GetFileName(path) + "*"))
                {
                    File.Delete(file);
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }

        if (settings.Json is { } json)
        {
            await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(new { settings.Messages, settings.Callers, settings.Rooms, settings.Search, Bound = results }, Json));
        }

        return results.All(r => r.Rows > 0) ? 0 : 1;
    }

    /// <summary>The server's schema (its migrations) with one user per caller, every user a member of every room, as WriterRun sets up.</summary>
    private static async Task<string> CreateTemplateAsync(string folder, WriterSettings settings)
    {
        using (var host = WriterRun.BuildHost(folder, maxBatch: 256))
        {
            await host.StartAsync();
            var writer = host.Services.GetRequiredService<DatabaseWriter>();
            var now = DateTimeOffset.UtcNow;
            var users = new ChatUser[settings.Callers];
            for (var i = 0; i < users.Length; i++)
            {
                users[i] = await writer.SubmitAsync(new RegisterUser($"bound{i:D4}", "not-a-real-hash", now), CancellationToken.None);
            }

            for (var r = 0; r < settings.Rooms; r++)
            {
                await writer.SubmitAsync(new CreateRoom(users[0], $"bound-{r}", isPrivate: false, now), CancellationToken.None);
                await Task.WhenAll(users.Skip(1).Select(u => writer.SubmitAsync(new JoinRoom(u, $"bound-{r}", now), CancellationToken.None)));
            }

            await host.StopAsync();
        }

        SqliteConnection.ClearAllPools(); // the last connection to close checkpoints the WAL into the file copied next
        var template = Path.Combine(folder, "template.db");
        File.Move(WriterRun.DatabasePath(folder), template);
        return template;
    }

    private static async Task<BoundResult> RunCaseAsync(string path, int perCommit, WriterSettings settings)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await Kept(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;").ExecuteNonQueryAsync();
        if (!settings.Search)
        {
            await Kept(connection, "DROP TRIGGER LogEntries_Search_Insert").ExecuteNonQueryAsync();
        }

        var rooms = await IdsAsync(connection, "SELECT Id FROM Rooms WHERE Name LIKE 'bound-%' ORDER BY Id");
        var users = await IdsAsync(connection, "SELECT Id FROM Users WHERE UserName LIKE 'bound%' ORDER BY Id");
        // Kept for the whole case, as the writer keeps them: each text compiled once.
        var begin = Kept(connection, "BEGIN IMMEDIATE");
        var commit = Kept(connection, "COMMIT");
        var advance = Kept(connection, "UPDATE Rooms SET LastSeq = LastSeq + @count WHERE Id = @room RETURNING LastSeq, MemberVersion", "@count", "@room");
        var memberships = ListSizes.ToDictionary(size => size, size => MembershipCommand(connection, size));
        var inserts = Enumerable.Range(1, InsertRows).ToDictionary(rows => rows, rows => InsertCommand(connection, rows));

        var text = new string('x', 48);
        var sends = new (long Room, long Sender, string ClientId)[perCommit];
        var seqs = new Dictionary<long, long>();
        var rows = 0L;
        var commits = 0L;
        var commitTicks = 0L;
        var cpuAtStart = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (settings.Seconds * Stopwatch.Frequency);
        while (rows + perCommit <= settings.Messages && Stopwatch.GetTimestamp() < stopAt)
        {
            for (var i = 0; i < perCommit; i++)
            {
                var n = rows + i;
                sends[i] = (rooms[(int)(n % rooms.Count)], users[(int)(n % users.Count)], string.Create(CultureInfo.InvariantCulture, $"b{n}"));
            }

            await begin.ExecuteNonQueryAsync();

            // Every pair must be a member; a pair the query does not return would be a refusal.
            var pairs = sends.Select(s => (s.Room, s.Sender)).Distinct().ToArray();
            var members = 0;
            foreach (var chunk in pairs.Chunk(ListChunk))
            {
                var size = ListSizes.First(s => s >= chunk.Length);
                var query = memberships[size];
                for (var i = 0; i < size; i++)
                {
                    var (room, sender) = chunk[Math.Min(i, chunk.Length - 1)];
                    query.Parameters[2 * i].Value = room;
                    query.Parameters[(2 * i) + 1].Value = sender;
                }

                await using var reader = await query.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    members++;
                }
            }

            if (members != pairs.Length)
            {
                throw new InvalidOperationException($"{pairs.Length - members} senders are not members.");
            }

            seqs.Clear();
            foreach (var group in sends.GroupBy(s => s.Room).OrderBy(g => g.Key))
            {
                advance.Parameters[0].Value = (long)group.Count();
                advance.Parameters[1].Value = group.Key;
                await using var reader = await advance.ExecuteReaderAsync();
                await reader.ReadAsync();
                seqs[group.Key] = reader.GetInt64(0) - group.Count() + 1;
            }

            var now = DateTimeOffset.UtcNow;
            var returned = 0;
            for (var start = 0; start < perCommit; start += InsertRows)
            {
                var count = Math.Min(InsertRows, perCommit - start);
                var insert = inserts[count];
                for (var row = 0; row < count; row++)
                {
                    var (room, sender, clientId) = sends[start + row];
                    var p = row * 7;
                    insert.Parameters[p].Value = room;
                    insert.Parameters[p + 1].Value = seqs[room]++;
                    insert.Parameters[p + 2].Value = sender;
                    insert.Parameters[p + 3].Value = EntryKinds.Message;
                    insert.Parameters[p + 4].Value = text;
                    insert.Parameters[p + 5].Value = clientId;
                    insert.Parameters[p + 6].Value = now;
                }

                await using var reader = await insert.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    _ = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)); // id, room, seq: what the ack is built from
                    returned++;
                }
            }

            if (returned != perCommit)
            {
                throw new InvalidOperationException($"{perCommit - returned} rows were not inserted.");
            }

            var commitStarted = Stopwatch.GetTimestamp();
            await commit.ExecuteNonQueryAsync();
            commitTicks += Stopwatch.GetTimestamp() - commitStarted;
            commits++;
            rows += perCommit;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = Environment.CpuUsage.TotalTime - cpuAtStart;
        return new BoundResult(perCommit, rows, seconds, rows / seconds,
            commits == 0 ? 0 : commitTicks * 1000.0 / Stopwatch.Frequency / commits, rows == 0 ? double.NaN : cpu.TotalMicroseconds / rows);
    }

    private static SqliteCommand Kept(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        return command;
    }

    private static SqliteCommand MembershipCommand(SqliteConnection connection, int pairs)
    {
        var sql = new StringBuilder("SELECT RoomId, UserId FROM RoomMembers WHERE ");
        var names = new List<string>();
        for (var i = 0; i < pairs; i++)
        {
            sql.Append(i == 0 ? "" : " OR ").Append(CultureInfo.InvariantCulture, $"(RoomId = @r{i} AND UserId = @u{i})");
            names.AddRange([$"@r{i}", $"@u{i}"]);
        }

        return Kept(connection, sql.ToString(), [.. names]);
    }

    private static SqliteCommand InsertCommand(SqliteConnection connection, int rows)
    {
        var sql = new StringBuilder("INSERT INTO LogEntries (RoomId, Seq, SenderId, Kind, Text, ClientMessageId, SentAt) VALUES ");
        var names = new List<string>();
        for (var row = 0; row < rows; row++)
        {
            string[] columns = [$"@room{row}", $"@seq{row}", $"@sender{row}", $"@kind{row}", $"@text{row}", $"@clientId{row}", $"@sentAt{row}"];
            sql.Append(row == 0 ? "(" : ", (").AppendJoin(", ", columns).Append(')');
            names.AddRange(columns);
        }

        sql.Append(" ON CONFLICT (SenderId, ClientMessageId) DO NOTHING RETURNING Id, RoomId, Seq");
        return Kept(connection, sql.ToString(), [.. names]);
    }

    private static async Task<List<long>> IdsAsync(SqliteConnection connection, string sql)
    {
        await using var command = Kept(connection, sql);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}
