using System.Text;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>One line per log entry. Text from others never reaches the terminal raw: control characters (escape sequences) are replaced.</summary>
public static class EntryFormatter
{
    public static string Format(ChatMessage entry) => entry.Kind switch
    {
        EntryKinds.Edit => $"[{entry.Room}] #{entry.Seq} {entry.Sender} edited #{entry.TargetSeq}: {Clean(entry.Text)}",
        EntryKinds.Delete => $"[{entry.Room}] #{entry.Seq} {entry.Sender} deleted #{entry.TargetSeq}",
        EntryKinds.Reaction => $"[{entry.Room}] #{entry.Seq} {entry.Sender} reacted {Clean(entry.Text)} to #{entry.TargetSeq}{Counts(entry.Reactions)}",
        _ when entry.Deleted => $"[{entry.Room}] #{entry.Seq} {entry.Sender}: (deleted)",
        _ => $"[{entry.Room}] #{entry.Seq} {entry.Sender}: {Clean(entry.Text)}{(entry.EditedAt is null ? "" : " (edited)")}",
    };

    /// <summary>The message's reactions now, as counts (who reacted is not sent: it would grow with every reaction).</summary>
    private static string Counts(IReadOnlyList<ReactionCount> reactions) =>
        reactions.Count == 0 ? " (no reactions now)" : $" (now {string.Join(' ', reactions.Select(r => $"{Clean(r.Emoji)} {r.Count}"))})";

    public static string Clean(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c == '\n' ? ' ' : char.IsControl(c) ? '\uFFFD' : c);
        }

        return builder.ToString();
    }
}
