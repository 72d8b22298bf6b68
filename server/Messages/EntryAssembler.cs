using ChatApp.Contracts;
using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Messages;

/// <summary>
/// Fills in what a log row alone does not hold: reaction counts and mentioned names. Two queries for a
/// whole page, not two per message. Reactions are counted in the database, one row per (message, emoji),
/// so an entry's size depends on how many different reactions its message has (a bounded number), never
/// on how many people reacted.
/// </summary>
internal static class EntryAssembler
{
    /// <param name="viewerId">Whose reactions are marked <see cref="ReactionCount.Mine"/>: the reader, or for a live reaction event its sender.</param>
    public static async Task<List<ChatMessage>> CompleteAsync(ChatDbContext db, long roomId, List<ChatMessage> entries, long viewerId, CancellationToken cancellationToken)
    {
        // Message entries show their own counts and mentions; reaction and edit entries those of their message.
        var seqs = entries.Select(ReactionSeq).OfType<long>().Distinct().ToList();
        if (seqs.Count == 0)
        {
            return entries;
        }

        entries = await MessageExtras.CompleteAsync(db, roomId, entries, cancellationToken);

        var reactions = await db.Reactions.Where(r => r.RoomId == roomId && seqs.Contains(r.Seq))
            .GroupBy(r => new { r.Seq, r.Emoji })
            .Select(g => new { g.Key.Seq, g.Key.Emoji, Count = g.Count(), Mine = g.Sum(r => r.UserId == viewerId ? 1 : 0) })
            .ToListAsync(cancellationToken);
        var mentions = await db.Mentions.Where(m => m.RoomId == roomId && seqs.Contains(m.Seq))
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.Seq, u.UserName })
            .ToListAsync(cancellationToken);

        var reactionsBySeq = reactions.GroupBy(r => r.Seq).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<ReactionCount>)g.Select(e => new ReactionCount(e.Emoji, e.Count, e.Mine > 0))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Emoji, StringComparer.Ordinal)
                .ToList());
        var mentionsBySeq = mentions.GroupBy(m => m.Seq).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(m => m.UserName).ToList());

        return entries.ConvertAll(entry => entry.Kind switch
        {
            EntryKinds.Message => entry with
            {
                Reactions = reactionsBySeq.GetValueOrDefault(entry.Seq, []),
                Mentions = mentionsBySeq.GetValueOrDefault(entry.Seq, []),
            },
            EntryKinds.Reaction => entry with { Reactions = reactionsBySeq.GetValueOrDefault(entry.TargetSeq ?? 0, []) },
            // An edit shows the mentions its message makes now, as the live edit event did when it was the latest.
            EntryKinds.Edit => entry with { Mentions = mentionsBySeq.GetValueOrDefault(entry.TargetSeq ?? 0, []) },
            _ => entry,
        });
    }

    private static long? ReactionSeq(ChatMessage entry) => entry.Kind switch
    {
        EntryKinds.Message => entry.Seq,
        EntryKinds.Reaction or EntryKinds.Edit => entry.TargetSeq,
        _ => null,
    };
}
