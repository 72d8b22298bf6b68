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
        EntryKinds.Reaction => $"[{entry.Room}] #{entry.Seq} {entry.Sender} reacted {Clean(entry.Text)} to #{entry.TargetSeq}",
        _ when entry.Deleted => $"[{entry.Room}] #{entry.Seq} {entry.Sender}: (deleted)",
        _ => $"[{entry.Room}] #{entry.Seq} {entry.Sender}: {Clean(entry.Text)}{(entry.EditedAt is null ? "" : " (edited)")}",
    };

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
