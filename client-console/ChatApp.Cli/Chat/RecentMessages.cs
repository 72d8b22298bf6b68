using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>
/// The messages shown lately, per room: what an edit, delete or reaction line quotes (the log entry names
/// its target only by seq), and what <c>last</c> means in /edit, /delete and /react. Bounded per room, so a
/// long session does not grow without end; an older target is named by its seq alone.
/// </summary>
internal sealed class RecentMessages(string me)
{
    private const int PerRoom = 500;
    private readonly Dictionary<string, SortedDictionary<long, Recent>> _rooms = new(StringComparer.OrdinalIgnoreCase);

    public sealed record Recent(string Sender, string Text, bool Deleted);

    public Recent? Find(string room, long seq) =>
        _rooms.TryGetValue(room, out var messages) && messages.TryGetValue(seq, out var recent) ? recent : null;

    /// <summary>The newest message of the room that is not deleted; with <paramref name="ownOnly"/>, the newest of ours.</summary>
    public long? Last(string room, bool ownOnly)
    {
        if (!_rooms.TryGetValue(room, out var messages))
        {
            return null;
        }

        // Newest first; at most PerRoom entries, and the answer is almost always among the first few.
        foreach (var (seq, recent) in messages.Reverse())
        {
            if (!recent.Deleted && (!ownOnly || string.Equals(recent.Sender, me, StringComparison.OrdinalIgnoreCase)))
            {
                return seq;
            }
        }

        return null;
    }

    /// <summary>Takes in any entry: a message is kept (in its current state), an edit or delete updates its target.</summary>
    public void Apply(ChatMessage entry)
    {
        switch (entry.Kind)
        {
            case EntryKinds.Message:
                Store(entry.Room, entry.Seq, new Recent(entry.Sender, entry.Text, entry.Deleted));
                break;
            case EntryKinds.Edit when entry.TargetSeq is { } target && Find(entry.Room, target) is { } edited:
                Store(entry.Room, target, edited with { Text = entry.Text });
                break;
            case EntryKinds.Delete when entry.TargetSeq is { } target && Find(entry.Room, target) is { } deleted:
                Store(entry.Room, target, deleted with { Text = "", Deleted = true });
                break;
        }
    }

    private void Store(string room, long seq, Recent recent)
    {
        if (!_rooms.TryGetValue(room, out var messages))
        {
            _rooms[room] = messages = [];
        }

        messages[seq] = recent;
        if (messages.Count > PerRoom)
        {
            messages.Remove(messages.Keys.First());
        }
    }
}
