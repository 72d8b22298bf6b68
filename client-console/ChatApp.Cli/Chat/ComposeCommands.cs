using ChatApp.Client;
using ChatApp.Contracts;

namespace ChatApp.Cli.Chat;

/// <summary>
/// /reply and /upload: sends that carry more than text. Each waits for the server's answer (an upload must be
/// stored before the message naming it), so a refusal is reported at once; the message itself shows when it
/// comes back from the log, like any other.
/// </summary>
internal sealed class ComposeCommands(ChatConnection connection, ChatAttachments attachments, FollowedRooms rooms, EntryFormatter formatter)
{
    /// <summary>Uploads are bounded by size on the server (5 MiB by default); this bounds the time one may hold the screen.</summary>
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(2);

    /// <summary><c>/reply #12 TEXT</c>: MSG as the other commands name messages; the reply goes to that message's room.</summary>
    public async Task ReplyAsync(string? argument, CancellationToken cancellationToken)
    {
        var parts = argument!.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); // needs an argument
        if (parts.Length < 2)
        {
            throw new CliException($"/reply needs the message and your answer: /reply MSG TEXT, where MSG is {MessageRef.Forms}.");
        }

        var target = MessageRef.Parse(parts[0], rooms.Current, formatter, ownOnly: false);
        await SendAsync(target.Room, parts[1], new SendExtras { ReplyTo = target.Seq }, cancellationToken);
    }

    /// <summary><c>/upload PATH [TEXT]</c> (a path with spaces in double quotes): the file, then a message carrying it, in the current room.</summary>
    public async Task UploadAsync(string? argument, CancellationToken cancellationToken)
    {
        var room = rooms.Current ?? throw new CliException("You are not in a room: /join ROOM first.");
        var (path, text) = PathAndText(argument!.Trim()); // needs an argument
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new CliException($"There is no file '{path}'.");
        }

        AttachmentInfo uploaded;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(UploadTimeout);
            await using var content = file.OpenRead();
            uploaded = await attachments.UploadAsync(room, file.Name, content, timeout.Token);
        }

        await SendAsync(room, text ?? "", new SendExtras { AttachmentIds = [uploaded.Id] }, cancellationToken);
    }

    private Task<ChatMessage> SendAsync(string room, string text, SendExtras extras, CancellationToken cancellationToken)
    {
        var clientMessageId = Guid.NewGuid().ToString("N");
        return HubCalls.CallAsync(ct => connection.SendMessageWithAsync(room, text, clientMessageId, extras, ct), cancellationToken);
    }

    private static (string Path, string? Text) PathAndText(string argument)
    {
        if (argument.StartsWith('"') && argument.IndexOf('"', 1) is var close && close > 0)
        {
            var rest = argument[(close + 1)..].Trim();
            return (argument[1..close], rest.Length == 0 ? null : rest);
        }

        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (parts[0], parts.Length > 1 ? parts[1] : null);
    }
}
