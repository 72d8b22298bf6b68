using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>/edit, /delete and /react: act on a message named by <see cref="MessageRef"/>. The result shows as its log entry.</summary>
internal sealed class MessageCommands(ChatConnection connection, ChatScreen screen, FollowedRooms rooms, EntryFormatter formatter)
{
    public async Task EditAsync(string? argument, CancellationToken cancellationToken)
    {
        var (reference, text) = Split(argument!); // needs an argument
        if (text is null)
        {
            throw new CliException($"/edit needs the message and its new text: /edit MSG NEW TEXT, where MSG is {MessageRef.Forms}.");
        }

        var target = MessageRef.Parse(reference, rooms.Current, formatter, ownOnly: true);
        await ConfirmUnlessFollowedAsync(await HubCalls.CallAsync(ct => connection.EditMessageAsync(target.Room, target.Seq, text, ct), cancellationToken), cancellationToken);
    }

    public async Task DeleteAsync(string? argument, CancellationToken cancellationToken)
    {
        var target = MessageRef.Parse(argument!.Trim(), rooms.Current, formatter, ownOnly: true); // needs an argument
        await ConfirmUnlessFollowedAsync(await HubCalls.CallAsync(ct => connection.DeleteMessageAsync(target.Room, target.Seq, ct), cancellationToken), cancellationToken);
    }

    /// <summary><c>/react #12 👍</c>, or <c>/react 👍</c> for the last message. The server toggles: the same again takes it back.</summary>
    public async Task ReactAsync(string? argument, CancellationToken cancellationToken)
    {
        var (first, rest) = Split(argument!); // needs an argument
        var (reference, emoji) = rest is null ? ("last", first) : (first, rest);
        var target = MessageRef.Parse(reference, rooms.Current, formatter, ownOnly: false);
        await ConfirmUnlessFollowedAsync(await HubCalls.CallAsync(ct => connection.ReactAsync(target.Room, target.Seq, emoji, ct), cancellationToken), cancellationToken);
    }

    /// <summary>A followed room shows the entry from its log; for another room (named as ROOM#12) the answer is all there is.</summary>
    private async Task ConfirmUnlessFollowedAsync(ChatMessage entry, CancellationToken cancellationToken)
    {
        if (!await rooms.IsFollowedAsync(entry.Room, cancellationToken))
        {
            await screen.WriteAsync(formatter.Format(entry), cancellationToken);
        }
    }

    private static (string First, string? Remainder) Split(string argument)
    {
        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (parts[0], parts.Length > 1 ? parts[1] : null);
    }
}
