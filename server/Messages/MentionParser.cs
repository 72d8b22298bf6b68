using System.Text.RegularExpressions;
using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>Finds <c>@userName</c> mentions of a room's members in a message.</summary>
public static partial class MentionParser
{
    [GeneratedRegex(@"(?<![\w@.-])@([A-Za-z0-9][A-Za-z0-9_.-]{2,31})")]
    private static partial Regex Pattern();

    public static IReadOnlyList<string> Candidates(string text) =>
        Pattern().Matches(text).Select(m => m.Groups[1].Value.TrimEnd('.', '-')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

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
