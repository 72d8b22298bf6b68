using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Messages;

/// <summary>Full-text search (SQLite FTS5) over the messages of the rooms the caller may read, newest first.</summary>
public sealed class MessageSearch(IDbContextFactory<ChatDbContext> contexts, RoomQueries rooms, IOptions<ChatOptions> options)
{
    public async Task<SearchPage> SearchAsync(ChatUser user, string? query, string? room, long? beforeId, int? limit, CancellationToken cancellationToken)
    {
        if (query is not null && query.Length > options.Value.MaxSearchLength)
        {
            throw ChatException.Invalid($"A search can be at most {options.Value.MaxSearchLength} characters.");
        }

        // A NUL would end FTS5's quoted string early ("unterminated string"); no control character belongs in a search.
        if (query is not null && InputText.HasForbiddenCharacters(query, allowLineBreaks: false))
        {
            throw ChatException.Invalid("A search cannot contain control characters or broken Unicode.");
        }

        var match = ToMatchExpression(query, options.Value.MaxSearchWords) ?? throw ChatException.Invalid("Search for at least one word.");
        long? roomId = room is null ? null : (await rooms.GetReadableAsync(user, room, cancellationToken)).RoomId;
        var size = Math.Clamp(limit ?? options.Value.DefaultHistoryPageSize, 1, options.Value.MaxHistoryPageSize);
        var before = beforeId ?? long.MaxValue;

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Readability (ReadAccess.CanRead, in SQL) is part of the query itself, so a hit from a room the caller cannot read never leaves the database.
        var ids = await db.Database.SqlQuery<long>($"""
            SELECT e.Id AS Value
            FROM MessageSearch s
            JOIN LogEntries e ON e.Id = s.rowid
            JOIN Rooms r ON r.Id = e.RoomId
            WHERE MessageSearch MATCH {match}
              AND e.DeletedAt IS NULL AND e.Id < {before}
              AND ({roomId} IS NULL OR e.RoomId = {roomId})
              AND r.DeletedAt IS NULL
              AND (r.IsPrivate = 0 OR EXISTS (SELECT 1 FROM RoomMembers m WHERE m.RoomId = r.Id AND m.UserId = {user.Id}))
            ORDER BY e.Id DESC
            LIMIT {size + 1}
            """).ToListAsync(cancellationToken);

        var pageIds = ids.Take(size).ToList();
        var hits = await WireMessages.Read(db.LogEntries.Where(e => pageIds.Contains(e.Id)).OrderByDescending(e => e.Id))
            .ToListAsync(cancellationToken);
        return new SearchPage(hits, ids.Count > size);
    }

    /// <summary>
    /// User text as an FTS5 expression that cannot be a syntax error: every word quoted (all must match),
    /// the last one as a prefix so results come while typing.
    /// </summary>
    internal static string? ToMatchExpression(string? query, int maxWords)
    {
        var words = (query ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Replace("\"", "", StringComparison.Ordinal))
            .Where(w => w.Any(char.IsLetterOrDigit))
            .Take(maxWords)
            .ToList();
        return words.Count == 0
            ? null
            : string.Join(' ', words.Select((w, i) => i == words.Count - 1 ? $"\"{w}\"*" : $"\"{w}\""));
    }
}
