using System.Buffers.Binary;

namespace ChatApp.Server.Attachments;

/// <summary>What a file is, decided from its first bytes, and an image's size in pixels.</summary>
public sealed record SniffedContent(string ContentType, int? Width, int? Height);

/// <summary>
/// Recognises the few formats uploads may have from their bytes alone. The type an upload claims is never
/// trusted: a page saved as "cat.png" is not a PNG here, and nothing is ever recognised as HTML or SVG.
/// </summary>
public static class ContentSniffer
{
    /// <summary>Every type <see cref="Sniff"/> can answer; the allow-list is a subset of these.</summary>
    public static readonly IReadOnlySet<string> KnownTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
    };

    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The recognised type, or null for anything else (including an image whose size cannot be read).</summary>
    public static SniffedContent? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(Png) && data.Length >= 24)
        {
            return Image("image/png", BinaryPrimitives.ReadInt32BigEndian(data[16..]), BinaryPrimitives.ReadInt32BigEndian(data[20..]));
        }

        if ((data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)) && data.Length >= 10)
        {
            return Image("image/gif", BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]));
        }

        if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return JpegSize(data) is var (width, height) ? Image("image/jpeg", width, height) : null;
        }

        if (data.Length >= 30 && data.StartsWith("RIFF"u8) && data[8..].StartsWith("WEBP"u8))
        {
            return WebpSize(data) is var (width, height) ? Image("image/webp", width, height) : null;
        }

        if (data.StartsWith("%PDF-"u8))
        {
            return new SniffedContent("application/pdf", null, null);
        }

        return IsPlainText(data) ? new SniffedContent("text/plain", null, null) : null;
    }

    private static SniffedContent? Image(string type, int width, int height) =>
        width is > 0 and <= 65_535 && height is > 0 and <= 65_535 ? new SniffedContent(type, width, height) : null;

    /// <summary>Walks the JPEG segments to the first start-of-frame, which holds the size.</summary>
    private static (int Width, int Height)? JpegSize(ReadOnlySpan<byte> data)
    {
        var at = 2;
        while (at + 9 < data.Length)
        {
            if (data[at] != 0xFF)
            {
                return null;
            }

            var marker = data[at + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(data[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(at + 5)..]));
            }

            at += 2 + length;
        }

        return null;
    }

    private static (int Width, int Height)? WebpSize(ReadOnlySpan<byte> data)
    {
        var chunk = data[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            return (1 + ReadUInt24(data[24..]), 1 + ReadUInt24(data[27..]));
        }

        if (chunk.SequenceEqual("VP8L"u8) && data[20] == 0x2F)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[21..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }

        if (chunk.SequenceEqual("VP8 "u8) && data[23] == 0x9D && data[24] == 0x01 && data[25] == 0x2A)
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF);
        }

        return null;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> data) => data[0] | (data[1] << 8) | (data[2] << 16);

    /// <summary>UTF-8 without NULs or control characters other than tabs and line breaks.</summary>
    private static bool IsPlainText(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || !System.Text.Unicode.Utf8.IsValid(data))
        {
            return false;
        }

        foreach (var b in data)
        {
            if (b is < 0x20 and not (byte)'\t' and not (byte)'\n' and not (byte)'\r' || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}
