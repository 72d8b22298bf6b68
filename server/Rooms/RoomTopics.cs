using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;

namespace ChatApp.Server.Rooms;

/// <summary>The owner sets what a room is about; an empty topic clears it.</summary>
public sealed class SetRoomTopic(ChatUser owner, string name, string? topic) : WriteCommand<bool>
{
    public const int MaxLength = 200;

    protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var room = await context.Db.RequireOwnedRoomAsync(owner, name, "set its topic", cancellationToken);
        room.Topic = topic;
        await context.Db.SaveChangesAsync(cancellationToken);
        return room.IsPrivate;
    }

    /// <summary>One line of at most <see cref="MaxLength"/> characters, NFC; null for an empty or blank one.</summary>
    public static string? Normalize(string? topic)
    {
        var trimmed = topic?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > MaxLength || InputText.HasForbiddenCharacters(trimmed, allowLineBreaks: false))
        {
            throw ChatException.Invalid($"A topic is one line of at most {MaxLength} characters, without control characters.");
        }

        return InputText.Normalize(trimmed);
    }
}
