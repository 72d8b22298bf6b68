using ChatApp.Client;

namespace ChatApp.Cli.Chat;

/// <summary>
/// What was shown of each room, and the read marker last sent for it: the marker moves to what was
/// shown, so /rooms counts only what is really unread.
/// </summary>
internal sealed class ReadMarkers(ChatConnection connection)
{
    private readonly Dictionary<string, long> _lastShown = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _lastMarked = new(StringComparer.OrdinalIgnoreCase);

    public void Shown(string room, long seq) => _lastShown[room] = seq;

    public async Task MarkReadAsync(string? room, CancellationToken cancellationToken)
    {
        if (room is not null && _lastShown.TryGetValue(room, out var shown)
            && (!_lastMarked.TryGetValue(room, out var marked) || shown > marked))
        {
            await HubCalls.CallAsync(ct => connection.MarkReadAsync(room, shown, ct), cancellationToken);
            _lastMarked[room] = shown;
        }
    }
}
