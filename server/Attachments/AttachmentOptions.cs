using System.ComponentModel.DataAnnotations;

namespace ChatApp.Server.Attachments;

/// <summary>Uploads, bound from the "Attachments" section and validated at start-up.</summary>
public sealed class AttachmentOptions
{
    public const string Section = "Attachments";

    /// <summary>The largest file accepted, in bytes. Files live in the database, so this bounds a row (and a writer batch).</summary>
    [Range(1, 64L * 1024 * 1024)]
    public long MaxBytes { get; set; } = 5L * 1024 * 1024;

    [Range(1, 20)]
    public int MaxPerMessage { get; set; } = 10;

    /// <summary>
    /// The content types accepted, as the server recognises them from the bytes (see <see cref="ContentSniffer"/>);
    /// anything else is refused, whatever the upload claims. Nothing that a browser would run (HTML, SVG) can be listed.
    /// </summary>
    [MinLength(1)]
    public string[] AllowedTypes { get; set; } = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"];
}
