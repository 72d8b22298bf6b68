using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>
/// /search (every room you can read, or one with <c>in:ROOM</c>, <c>in:here</c> for the current one), /more for
/// the next page, and /context to read a result in its conversation.
/// </summary>
internal sealed class SearchCommands(ChatConnection connection, ChatScreen screen, FollowedRooms rooms, EntryFormatter formatter)
{
    private const int PageSize = 10;
    private const int ContextAround = 5;

    /// <summary>The search /more continues, once a page said there is more.</summary>
    private (string Query, string? Room, long BeforeId)? _next;

    public async Task SearchAsync(string? argument, CancellationToken cancellationToken)
    {
        var words = argument!.Split(' ', StringSplitOptions.RemoveEmptyEntries); // needs an argument
        var scope = words.FirstOrDefault(w => w.StartsWith("in:", StringComparison.OrdinalIgnoreCase))?[3..];
        var query = string.Join(' ', words.Where(w => !w.StartsWith("in:", StringComparison.OrdinalIgnoreCase)));
        string? room = scope switch
        {
            null => null,
            _ when string.Equals(scope, "here", StringComparison.OrdinalIgnoreCase) =>
                rooms.Current ?? throw new CliException("You are not in a room: /join ROOM first, or search everywhere."),
            _ => formatter.RoomName(scope),
        };
        if (query.Length == 0)
        {
            throw new CliException("Say what to search for: /search WORDS [in:ROOM | in:here]");
        }

        await ShowPageAsync(query, room, null, cancellationToken);
    }

    public async Task MoreAsync(string? _, CancellationToken cancellationToken)
    {
        if (_next is not var (query, room, beforeId))
        {
            await screen.WriteAsync("* nothing more to show: /search WORDS first", cancellationToken);
            return;
        }

        await ShowPageAsync(query, room, beforeId, cancellationToken);
    }

    private async Task ShowPageAsync(string query, string? room, long? beforeId, CancellationToken cancellationToken)
    {
        var page = await HubCalls.CallAsync(ct => connection.SearchMessagesAsync(query, room, beforeId, PageSize, ct), cancellationToken);
        var where = room is null ? "" : $" in {formatter.Label(room)}";
        if (page.Results.Count == 0)
        {
            _next = null;
            await screen.WriteAsync($"* no {(beforeId is null ? "" : "more ")}messages match \"{query}\"{where}", cancellationToken);
            return;
        }

        await screen.WriteAsync($"* {(beforeId is null ? "" : "more ")}messages matching \"{query}\"{where}, newest first:", cancellationToken);
        foreach (var hit in page.Results)
        {
            await screen.WriteAsync(formatter.Format(hit), cancellationToken);
        }

        _next = page.HasMore ? (query, room, page.Results[^1].Id) : null;
        var example = page.Results[0];
        await screen.WriteAsync(
            $"* /context {formatter.Label(example.Room)}#{example.Seq} shows a result among the messages around it{(page.HasMore ? "; /more for older results" : "")}",
            cancellationToken);
    }

    /// <summary>The messages around one (a search result, say), from the room's history: the room need not be followed.</summary>
    public async Task ContextAsync(string? argument, CancellationToken cancellationToken)
    {
        var target = MessageRef.Parse(argument!.Trim(), rooms.Current, formatter, ownOnly: false); // needs an argument
        var page = await HubCalls.CallAsync(ct => connection.GetHistoryAsync(target.Room, target.Seq + ContextAround + 1, 2 * ContextAround + 1, ct), cancellationToken);
        await screen.WriteAsync($"* around {formatter.Label(target.Room)}#{target.Seq}:", cancellationToken);
        foreach (var message in page.Messages)
        {
            var line = formatter.Format(message);
            await screen.WriteAsync(message.Seq == target.Seq ? line + "   <==" : line, cancellationToken);
        }

        var label = formatter.Label(target.Room);
        var follow = rooms.IsCurrent(target.Room) ? "" : $"; {(label.StartsWith('@') ? "/dm " + label[1..] : "/join " + label)} to talk there";
        await screen.WriteAsync($"* end of context{follow}", cancellationToken);
    }
}
