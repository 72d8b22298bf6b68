using ChatApp.Contracts;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>What one batch of sends does inside the writer's transaction: per room one seq update and the prepared inserts.</summary>
public static class DurableBatch
{
    /// <summary>
    /// Duplicates within the batch (a retry queued behind its own first attempt): the first is stored, the later ones
    /// answer with it. Across batches the unique (sender, clientMessageId) index finds them.
    /// </summary>
    public static (List<PendingSend> Unique, List<(PendingSend Retry, PendingSend First)> Retries) Dedupe(List<PendingSend> batch)
    {
        var firsts = new Dictionary<(long, string), PendingSend>(batch.Count);
        var unique = new List<PendingSend>(batch.Count);
        var retries = new List<(PendingSend, PendingSend)>();
        foreach (var send in batch)
        {
            if (firsts.TryGetValue((send.Sender.Id, send.ClientMessageId), out var first))
            {
                retries.Add((send, first));
            }
            else
            {
                firsts.Add((send.Sender.Id, send.ClientMessageId), send);
                unique.Add(send);
            }
        }

        return (unique, retries);
    }

    /// <summary>
    /// Takes each room's seqs (one UPDATE ... RETURNING per room) and inserts the entries. Returns false if the unique
    /// index skipped a row (a send stored by an earlier batch): the seqs are then wrong and the caller must roll back.
    /// </summary>
    public static async Task<bool> StoreAsync(DurableStatements statements, List<PendingSend> sends, DateTimeOffset now)
    {
        var byRoom = new Dictionary<long, List<PendingSend>>();
        foreach (var send in sends)
        {
            if (!byRoom.TryGetValue(send.Room.Id, out var list))
            {
                byRoom.Add(send.Room.Id, list = []);
            }

            list.Add(send); // batch order, so seq order
        }

        foreach (var (roomId, list) in byRoom)
        {
            var first = await AdvanceSeqAsync(statements, roomId, list.Count) - list.Count + 1;
            for (var i = 0; i < list.Count; i++)
            {
                list[i].Seq = first + i;
            }

            for (var start = 0; start < list.Count; start += DurableStatements.InsertRows)
            {
                var rows = Math.Min(DurableStatements.InsertRows, list.Count - start);
                if (await InsertAsync(statements, list, start, rows, first, now) < rows)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static async Task<long> AdvanceSeqAsync(DurableStatements statements, long roomId, int count)
    {
        var command = statements.AdvanceSeq;
        command.Parameters[0].Value = count;
        command.Parameters[1].Value = roomId;
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
        return await reader.ReadAsync(CancellationToken.None)
            ? reader.GetInt64(0)
            : throw new InvalidOperationException($"Room {roomId} has no row.");
    }

    private static async Task<int> InsertAsync(DurableStatements statements, List<PendingSend> list, int start, int rows, long firstSeq, DateTimeOffset now)
    {
        var command = statements.Insert(rows);
        for (var r = 0; r < rows; r++)
        {
            var send = list[start + r];
            var p = r * 6; // the order Insert declares them in
            command.Parameters[p].Value = send.Room.Id;
            command.Parameters[p + 1].Value = send.Seq;
            command.Parameters[p + 2].Value = send.Sender.Id;
            command.Parameters[p + 3].Value = send.Text;
            command.Parameters[p + 4].Value = send.ClientMessageId;
            command.Parameters[p + 5].Value = now;
        }

        var inserted = 0;
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
        while (await reader.ReadAsync(CancellationToken.None))
        {
            // RETURNING has no row order: a row is matched to its send by seq, unique in the room.
            var send = list[(int)(reader.GetInt64(1) - firstSeq)];
            send.IsNew = true;
            send.Result = new ChatMessage
            {
                Id = reader.GetInt64(0),
                Room = send.Room.Name,
                Seq = send.Seq,
                Sender = send.Sender.Name,
                Text = send.Text,
                SentAt = now,
                ClientMessageId = send.ClientMessageId,
            };
            inserted++;
        }

        return inserted;
    }

    /// <summary>After a rollback: the sends stored before get their originals; returns the rest, to be stored again.</summary>
    public static async Task<List<PendingSend>> FindOriginalsAsync(DurableStatements statements, List<PendingSend> sends)
    {
        var fresh = new List<PendingSend>(sends.Count);
        var command = statements.Original;
        foreach (var send in sends)
        {
            send.IsNew = false;
            send.Result = null;
            command.Parameters[0].Value = send.Sender.Id;
            command.Parameters[1].Value = send.ClientMessageId;
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            if (await reader.ReadAsync(CancellationToken.None))
            {
                send.Result = new ChatMessage
                {
                    Id = reader.GetInt64(0),
                    Seq = reader.GetInt64(1),
                    Room = reader.GetString(2),
                    Sender = send.Sender.Name,
                    Text = reader.GetString(3),
                    SentAt = reader.GetDateTimeOffset(4),
                    ClientMessageId = send.ClientMessageId,
                };
            }
            else
            {
                fresh.Add(send);
            }
        }

        return fresh;
    }
}
