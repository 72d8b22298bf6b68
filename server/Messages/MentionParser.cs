using System.Text.RegularExpressions;
using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>Finds <c>@userName</c> mentions of a room's members in a message.</summary>
public static partial class MentionParser
{
    [GeneratedRegex(@"(?<![\w@.-])@([A-Za-z0-9][A-Za-z0-9_.-]{2,31})")]
    private static partial Regex Pattern();

    /// <summary>A room member a message may mention.</summary>
    public sealed record Member(long UserId, string UserName);

    public static IReadOnlyList<string> Candidates(string text) => !text.Contains('@') ? [] :
        Pattern().Matches(text).Select(m => m.Groups[1].Value.TrimEnd('.', '-')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>
    /// For a run of new messages (room, text): per message, the members of its room it mentions, in the order the
    /// text names them (null when none). One query for the whole run, and none when no text has a candidate.
    /// </summary>
    internal static async Task<IReadOnlyList<Member>?[]> FindMembersAsync(
        WriteContext context, AppendSql sql, IEnumerable<(long RoomId, string Text)> messages, CancellationToken cancellationToken)
    {
        var candidates = messages.Select(m => (m.RoomId, Names: Candidates(m.Text))).ToList();
        var found = new IReadOnlyList<Member>?[candidates.Count];
        var rooms = candidates.Where(c => c.Names.Count > 0).Select(c => c.RoomId).Distinct().ToList();
        if (rooms.Count == 0)
        {
            return found;
        }

        var names = candidates.SelectMany(c => c.Names).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        // User names compare without case in the database (NOCASE); mentionable names are ASCII, so OrdinalIgnoreCase agrees.
        var members = new Dictionary<(long, string), Member>(new RoomAndNameComparer());
        foreach (var roomChunk in rooms.Chunk(AppendSql.ListChunk))
        {
            foreach (var nameChunk in names.Chunk(AppendSql.ListChunk))
            {
                var (roomSize, nameSize) = (AppendSql.Padded(roomChunk.Length), AppendSql.Padded(nameChunk.Length));
                var command = context.Statement(sql.NamedMembers(roomChunk.Length, nameChunk.Length), (roomSize, nameSize), static (c, sizes) =>
                {
                    AppendSql.AddList(c, "r", sizes.roomSize);
                    AppendSql.AddList(c, "n", sizes.nameSize);
                });
                AppendSql.SetList(command, 0, roomSize, roomChunk);
                AppendSql.SetList(command, roomSize, nameSize, nameChunk);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var member = new Member(reader.GetInt64(1), reader.GetString(2));
                    members[(reader.GetInt64(0), member.UserName)] = member;
                }
            }
        }

        for (var i = 0; i < candidates.Count; i++)
        {
            var (roomId, texts) = candidates[i];
            var matched = texts.Select(name => members.GetValueOrDefault((roomId, name))).OfType<Member>().ToList();
            found[i] = matched.Count > 0 ? matched : null;
        }

        return found;
    }

    private sealed class RoomAndNameComparer : IEqualityComparer<(long RoomId, string Name)>
    {
        public bool Equals((long RoomId, string Name) x, (long RoomId, string Name) y) =>
            x.RoomId == y.RoomId && string.Equals(x.Name, y.Name, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((long RoomId, string Name) key) =>
            HashCode.Combine(key.RoomId, StringComparer.OrdinalIgnoreCase.GetHashCode(key.Name));
    }

    /// <summary>Stores the mentions a message's text makes (replacing earlier ones after an edit); returns the names, as stored.</summary>
    public static async Task<IReadOnlyList<string>> StoreAsync(ChatDbContext db, long roomId, long seq, string text, bool replace, CancellationToken cancellationToken)
    {
        if (replace)
        {
            await db.Mentions.Where(m => m.RoomId == roomId && m.Seq == seq).ExecuteDeleteAsync(cancellationToken);
        }

        var candidates = Candidates(text);
        if (candidates.Count == 0)
        {
            return [];
        }

        var members = await db.RoomMembers.Where(m => m.RoomId == roomId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u)
            .Where(u => candidates.Contains(u.UserName))
            .Select(u => new { u.Id, u.UserName })
            .ToListAsync(cancellationToken);
        foreach (var member in members)
        {
            db.Mentions.Add(new Mention { UserId = member.Id, RoomId = roomId, Seq = seq });
        }

        return members.ConvertAll(m => m.UserName);
    }
}
