using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Messages;

/// <summary>
/// Full-text search over the messages of the rooms the caller may read, newest first: SQLite FTS5, or on
/// PostgreSQL a generated tsvector with a GIN index (Data/Migrations/Postgres). Both match whole words
/// case- and accent-insensitively, the last word as a prefix, and neither ranks: the order is the log's.
/// </summary>
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

        var words = SearchWords(query, options.Value.MaxSearchWords);
        if (words.Count == 0)
        {
            throw ChatException.Invalid("Search for at least one word.");
        }

        long? roomId = room is null ? null : (await rooms.GetReadableAsync(user, room, cancellationToken)).RoomId;
        var size = Math.Clamp(limit ?? options.Value.DefaultHistoryPageSize, 1, options.Value.MaxHistoryPageSize);
        var before = beforeId ?? long.MaxValue;

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Readability (ReadAccess.CanRead, in SQL) is part of the query itself, so a hit from a room the caller cannot read never leaves the database.
        var ids = await (db.Database.IsNpgsql()
            ? db.Database.SqlQuery<long>($"""
                SELECT e."Id" AS "Value"
                FROM "LogEntries" e
                JOIN "Rooms" r ON r."Id" = e."RoomId"
                WHERE e."SearchVector" @@ to_tsquery('chat_search', {ToTsQuery(words)})
                  AND e."DeletedAt" IS NULL AND e."Id" < {before}
                  AND ({roomId}::bigint IS NULL OR e."RoomId" = {roomId})
                  AND r."DeletedAt" IS NULL
                  AND (NOT r."IsPrivate" OR EXISTS (SELECT 1 FROM "RoomMembers" m WHERE m."RoomId" = r."Id" AND m."UserId" = {user.Id}))
                ORDER BY e."Id" DESC
                LIMIT {size + 1}
                """)
            : db.Database.SqlQuery<long>($"""
                SELECT e.Id AS Value
                FROM MessageSearch s
                JOIN LogEntries e ON e.Id = s.rowid
                JOIN Rooms r ON r.Id = e.RoomId
                WHERE MessageSearch MATCH {ToMatchExpression(words)}
                  AND e.DeletedAt IS NULL AND e.Id < {before}
                  AND ({roomId} IS NULL OR e.RoomId = {roomId})
                  AND r.DeletedAt IS NULL
                  AND (r.IsPrivate = 0 OR EXISTS (SELECT 1 FROM RoomMembers m WHERE m.RoomId = r.Id AND m.UserId = {user.Id}))
                ORDER BY e.Id DESC
                LIMIT {size + 1}
                """)).ToListAsync(cancellationToken);

        var pageIds = ids.Take(size).ToList();
        var hits = await WireMessages.Read(db.LogEntries.Where(e => pageIds.Contains(e.Id)).OrderByDescending(e => e.Id))
            .ToListAsync(cancellationToken);
        return new SearchPage(hits, ids.Count > size);
    }

    /// <summary>The words of a search: quotes dropped, words without a letter or digit ignored, at most <paramref name="maxWords"/>.</summary>
    internal static List<string> SearchWords(string? query, int maxWords) =>
        (query ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Replace("\"", "", StringComparison.Ordinal))
            .Where(w => w.Any(char.IsLetterOrDigit))
            .Take(maxWords)
            .ToList();

    /// <summary>
    /// User text as an FTS5 expression that cannot be a syntax error: every word quoted (all must match),
    /// the last one as a prefix so results come while typing.
    /// </summary>
    internal static string ToMatchExpression(List<string> words) =>
        string.Join(' ', words.Select((w, i) => i == words.Count - 1 ? $"\"{w}\"*" : $"\"{w}\""));

    /// <summary>
    /// The same search as a PostgreSQL tsquery: every word a quoted lexeme (quotes and backslashes escaped, so
    /// no input is a syntax error), all must match, the last as a prefix. A quoted word that the parser splits
    /// (e.g. "foo-bar") becomes a phrase, as FTS5 does with a quoted string.
    /// </summary>
    internal static string ToTsQuery(List<string> words) =>
        string.Join(" & ", words.Select((w, i) =>
            $"'{w.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)}'" + (i == words.Count - 1 ? ":*" : "")));
}
