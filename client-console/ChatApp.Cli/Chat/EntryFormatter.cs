using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>
/// One line per log entry: local time (with the date when it is not today), the room as people call it
/// (a DM is <c>@alice</c>, not its internal name <c>@alice:carol</c>), the seq to refer to it by, and for
/// edits, deletes and reactions a quote of the message they act on. Text from others never reaches the
/// terminal raw: control characters (escape sequences) are replaced. A reply ends with a quote of what it
/// answers; each attachment follows on its own line with the URL it downloads from.
/// </summary>
/// <param name="server">The server attachment URLs point at; null shows attachments without one.</param>
internal sealed class EntryFormatter(TimeProvider clock, string me, Uri? server = null)
{
    private const int QuoteLength = 40;
    private readonly Dictionary<string, string> _labels = new(StringComparer.OrdinalIgnoreCase);

    // Written on the connection's thread, read on the screen loop.
    private readonly ConcurrentDictionary<(string Room, long Seq), byte> _live = new();

    public RecentMessages Recent { get; } = new(me);

    /// <summary>Learns how to call a room: a DM by the other person's name.</summary>
    public void Learn(RoomInfo room)
    {
        if (room.IsDirect && room.DirectWith is { } other)
        {
            _labels[room.Name] = "@" + other;
        }
    }

    public string Label(string room) => _labels.TryGetValue(room, out var label) ? label : DirectLabel(room) ?? room;

    /// <summary>A room as typed (<c>@alice</c> for a DM, or its name) to the room's real name.</summary>
    public string RoomName(string typed)
    {
        foreach (var (name, label) in _labels)
        {
            if (string.Equals(label, typed, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return typed;
    }

    /// <summary>Formats an entry of the live transcript and remembers it (what later edits and reactions quote).</summary>
    public string Show(ChatMessage entry)
    {
        var line = Format(entry);
        Recent.Apply(entry);
        return line;
    }

    public string Format(ChatMessage entry)
    {
        var head = $"{Time(entry.SentAt)} [{Label(entry.Room)}] #{entry.Seq} {entry.Sender}";
        var target = entry.TargetSeq ?? 0;
        return entry.Kind switch
        {
            EntryKinds.Edit => $"{head} edited #{target}{WasQuote(entry, target)}: {Clean(entry.Text)}",
            EntryKinds.Delete => $"{head} deleted #{target}{Quote(entry.Room, target, withSender: true)}",
            EntryKinds.Reaction => $"{head} {(Added(entry) ? "reacted" : "took back")} {Clean(entry.Text)} on #{target}{Quote(entry.Room, target, withSender: true)}; {Counts(entry.Reactions)}",
            _ when entry.Deleted => $"{head}: (deleted)",
            _ => $"{head}: {Clean(entry.Text)}{(entry.EditedAt is null ? "" : " (edited)")}{(entry.Reactions.Count == 0 ? "" : $" [{Tally(entry.Reactions)}]")}"
                + ReplyQuote(entry) + string.Concat(entry.Attachments.Select(a => Environment.NewLine + "    " + AttachmentLine(a))),
        };
    }

    /// <summary><c>[file cat.png, 47.1 KB, image/png] URL</c>: a terminal cannot show the file, so it says what it is and where to get it.</summary>
    public string AttachmentLine(AttachmentInfo file)
    {
        var url = server is null ? "" : " " + ChatAttachments.DownloadUri(server, file.Id);
        return $"[file {Clean(file.FileName)}, {Size(file.Length)}, {file.ContentType}]{url}";
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };

    /// <summary>
    /// The server's quote is the original as it is now (history, catch-up) or was when the reply was sent (live);
    /// an original deleted since the reply came shows as deleted from what this screen saw.
    /// </summary>
    private string ReplyQuote(ChatMessage entry)
    {
        if (entry.ReplyTo is not { } seq)
        {
            return "";
        }

        var quoted = entry.Quoted;
        var deleted = quoted?.Deleted == true || Recent.Find(entry.Room, seq)?.Deleted == true;
        if (deleted || quoted is null)
        {
            return deleted ? $"  ↪ re #{seq} (deleted)" : $"  ↪ re #{seq}{Quote(entry.Room, seq, withSender: true)}";
        }

        return $"  ↪ re #{seq} {quoted.Sender}: \"{Shorten(Clean(quoted.Text))}\"";
    }

    /// <summary>Local time; the date too when it is not today, so a catch-up after a night reads right.</summary>
    public string Time(DateTimeOffset at)
    {
        var zone = clock.LocalTimeZone;
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).Date;
        return local.ToString(local.Date == today ? "HH:mm" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>Notes a reaction entry that came live, before the follower hands it on (see <see cref="Added"/>).</summary>
    public void MarkLive(ChatMessage entry) => _live.TryAdd((entry.Room, entry.Seq), 0);

    /// <summary>
    /// A live reaction entry marks the sender's own reactions, so the emoji is "mine" exactly when the toggle added it.
    /// A replayed one (catch-up, history) marks the reader's instead: the emoji still being there is then the best guess.
    /// </summary>
    private bool Added(ChatMessage entry) => _live.TryRemove((entry.Room, entry.Seq), out _)
        ? entry.Reactions.Any(r => r.Emoji == entry.Text && r.Mine)
        : entry.Reactions.Any(r => r.Emoji == entry.Text);

    private string Quote(string room, long seq, bool withSender)
    {
        if (Recent.Find(room, seq) is not { Deleted: false } target)
        {
            return "";
        }

        var text = Shorten(Clean(target.Text));
        return withSender ? $" ({target.Sender}: \"{text}\")" : $" (was \"{text}\")";
    }

    private static string Shorten(string text) => text.Length <= QuoteLength ? text : text[..(QuoteLength - 1)] + "…";

    /// <summary>The text before the edit; a replayed message already has its latest text, and "was" the same would mislead.</summary>
    private string WasQuote(ChatMessage edit, long target) =>
        Recent.Find(edit.Room, target)?.Text == edit.Text ? "" : Quote(edit.Room, target, withSender: false);

    private static string Counts(IReadOnlyList<ReactionCount> reactions) =>
        reactions.Count == 0 ? "no reactions now" : $"now {Tally(reactions)}";

    /// <summary>Counts only: who reacted is not sent (it would grow with every reaction).</summary>
    private static string Tally(IReadOnlyList<ReactionCount> reactions) => string.Join(' ', reactions.Select(r => $"{Clean(r.Emoji)} {r.Count}"));

    /// <summary>For a DM not learnt yet (<c>@alice:carol</c>): the name that is not ours.</summary>
    private string? DirectLabel(string room)
    {
        if (!room.StartsWith('@') || room.IndexOf(':', StringComparison.Ordinal) is var colon && colon < 0)
        {
            return null;
        }

        var first = room[1..colon];
        var second = room[(colon + 1)..];
        return "@" + (string.Equals(first, me, StringComparison.OrdinalIgnoreCase) ? second : first);
    }

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
