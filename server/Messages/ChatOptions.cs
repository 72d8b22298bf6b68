using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Messages;

/// <summary>Limits of the message path (sends, history, reactions, search), bound from the "Chat" section and validated at start-up.</summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";

    [Range(1, 100_000)]
    public int MaxMessageLength { get; set; } = 4_000;

    [Range(1, 256)]
    public int MaxClientMessageIdLength { get; set; } = 64;

    [Range(1, 1_000)]
    public int DefaultHistoryPageSize { get; set; } = 50;

    [Range(1, 1_000)]
    public int MaxHistoryPageSize { get; set; } = 200;

    /// <summary>How many entries the catch-up stream reads per query, so no read transaction stays open long.</summary>
    [Range(1, 10_000)]
    public int StreamPageSize { get; set; } = 500;

    /// <summary>The longest reaction (an emoji, or a short word).</summary>
    [Range(1, 256)]
    public int MaxReactionLength { get; set; } = 32;

    /// <summary>The longest search query, in characters; checked before anything else looks at it.</summary>
    [Range(1, 10_000)]
    public int MaxSearchLength { get; set; } = 256;

    /// <summary>How many words of a search query are used; the rest are ignored.</summary>
    [Range(1, 256)]
    public int MaxSearchWords { get; set; } = 16;
}
