using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Limits;
using ChatApp.Server.Rooms;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Attachments;

/// <summary>
/// Upload (<c>POST /api/rooms/{room}/attachments?name=</c>, the file as the raw body) and download
/// (<c>GET /api/attachments/{id}</c>), both for members of the room only.
/// </summary>
public static class AttachmentsApi
{
    private const int MaxFileNameLength = 128;

    public static IEndpointRouteBuilder MapAttachmentsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost($"{ChatPaths.Rooms}/{{room}}/attachments", UploadAsync)
            .RequireAuthorization().WithTags("Attachments").LimitedBy(LimitKind.Messages);
        app.MapGet($"{ChatPaths.Attachments}/{{id}}", DownloadAsync)
            .RequireAuthorization().WithTags("Attachments").LimitedBy(LimitKind.Calls);
        return app;
    }

    private static async Task<IResult> UploadAsync(
        string room, string? name, HttpRequest request, ChatUser user, RoomQueries rooms, DatabaseWriter writer,
        IOptions<AttachmentOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var max = options.Value.MaxBytes;
        if (request.ContentLength > max)
        {
            throw TooLarge(max);
        }

        // Kestrel's own cap on request bodies (30 MB, kept for every other endpoint) would refuse an allowed file above
        // it; here the cap is the file limit, so a body without a length stops being read as soon as it passes it.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = max;
        }

        var access = await rooms.GetMembershipAsync(user, room, ct);

        var data = await ReadBodyAsync(request.Body, max, ct);
        var sniffed = ContentSniffer.Sniff(data);
        if (sniffed is null || !options.Value.AllowedTypes.Contains(sniffed.ContentType, StringComparer.Ordinal))
        {
            throw ChatException.Invalid($"This kind of file cannot be uploaded; allowed: {string.Join(", ", options.Value.AllowedTypes)}.");
        }

        var attachment = new Attachment
        {
            Id = Guid.NewGuid().ToString("N"),
            RoomId = access.RoomId,
            UploaderId = user.Id,
            FileName = CleanFileName(name, sniffed.ContentType),
            ContentType = sniffed.ContentType,
            Length = data.Length,
            Width = sniffed.Width,
            Height = sniffed.Height,
            Data = data,
            UploadedAt = clock.GetUtcNow(),
        };
        var info = await writer.SubmitAsync(new StoreAttachment(attachment), ct);
        return TypedResults.Created($"{ChatPaths.Attachments}/{info.Id}", info);
    }

    private static async Task<IResult> DownloadAsync(string id, HttpResponse response, ChatUser user, RoomQueries rooms, IDbContextFactory<ChatDbContext> contexts, CancellationToken ct)
    {
        if (!IsWellFormedId(id))
        {
            throw NoAttachment(); // no upload has such an id: not worth a lookup, whatever length or bytes it has
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var file = await db.Attachments.Where(a => a.Id == id)
            .Select(a => new { a.FileName, a.ContentType, a.Data, Room = db.Rooms.Where(r => r.Id == a.RoomId).Select(r => r.Name).First() })
            .FirstOrDefaultAsync(ct) ?? throw NoAttachment();
        try
        {
            await rooms.GetMembershipAsync(user, file.Room, ct);
        }
        catch (ChatException)
        {
            // Whether a file exists is the room's business: an outsider hears what a wrong id gets.
            throw NoAttachment();
        }

        // Always a download, never rendered as a page by the browser that opens the URL; the types are the sniffed ones.
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.File(file.Data, file.ContentType, file.FileName);
    }

    private static async Task<byte[]> ReadBodyAsync(Stream body, long max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    throw TooLarge(max);
                }

                await buffer.WriteAsync(chunk.AsMemory(0, read), ct);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(max); // the server's cap (set to the same limit above) met it first
        }

        return buffer.ToArray();
    }

    /// <summary>An id as uploads get them (<see cref="Guid"/> "N", 32 characters): anything else is refused before any lookup.</summary>
    public static bool IsWellFormedId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// The last path segment, without control, invisible (format: right-to-left overrides that make "gpj.exe" read
    /// "exe.jpg", zero-width characters) or path characters, NFC, at most 128 characters; a name fitting the type when
    /// none is left.
    /// </summary>
    internal static string CleanFileName(string? name, string contentType)
    {
        var baseName = (name ?? "").Replace('\\', '/').Split('/')[^1];
        var visible = baseName.Where(c => !char.IsControl(c) && c is not '"' and not ':' && !char.IsSurrogate(c)
            && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format);
        var cleaned = InputText.Normalize(new string(visible.ToArray())).Trim(' ', '.');
        if (cleaned.Length > MaxFileNameLength)
        {
            cleaned = cleaned[^MaxFileNameLength..];
        }

        return cleaned.Length > 0 ? cleaned : "file" + contentType switch
        {
            "image/png" => ".png",
            "image/jpeg" => ".jpg",
            "image/gif" => ".gif",
            "image/webp" => ".webp",
            "application/pdf" => ".pdf",
            _ => ".txt",
        };
    }

    private static ChatException TooLarge(long max) => ChatException.Invalid($"A file can be at most {max:N0} bytes.");

    private static ChatException NoAttachment() => ChatException.NotFound("There is no attachment with that id that you can read.");
}
