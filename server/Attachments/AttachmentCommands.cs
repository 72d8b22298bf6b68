using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Attachments;

/// <summary>Stores an uploaded file. It goes through the writer like every other change, so it is committed before any message can name it.</summary>
public sealed class StoreAttachment(Attachment attachment) : WriteCommand<AttachmentInfo>
{
    protected override async Task<AttachmentInfo> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        context.Db.Attachments.Add(attachment);
        await context.Db.SaveChangesAsync(cancellationToken);
        return AttachmentLinks.Info(attachment);
    }
}

/// <summary>The send path's part of attachments: claiming uploads for a new message, and reading them back for a page.</summary>
public static class AttachmentLinks
{
    public static AttachmentInfo Info(Attachment a) => new(a.Id, a.FileName, a.ContentType, a.Length, a.Width, a.Height);

    /// <summary>
    /// Checks that every id names an upload of <paramref name="uploaderId"/> to this room that no message carries
    /// yet, and returns them tracked, for <see cref="Claim"/> to attach once the message has its seq.
    /// </summary>
    public static async Task<List<Attachment>> FindClaimableAsync(ChatDbContext db, long roomId, long uploaderId, IReadOnlyList<string> ids, int max, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count > max)
        {
            throw ChatException.Invalid($"A message can carry at most {max} attachments.");
        }

        // Only the metadata: the bytes stay in the database.
        var found = await db.Attachments.AsTracking()
            .Where(a => distinct.Contains(a.Id) && a.RoomId == roomId && a.UploaderId == uploaderId && a.Seq == null)
            .ToListAsync(cancellationToken);
        return found.Count == distinct.Count
            ? distinct.ConvertAll(id => found.First(a => a.Id == id))
            : throw ChatException.Invalid("An attachment is unknown, was uploaded to another room or by someone else, or already belongs to a message; upload it again.");
    }

    public static void Claim(List<Attachment> attachments, long seq)
    {
        foreach (var attachment in attachments)
        {
            attachment.Seq = seq;
        }
    }

    /// <summary>The attachments of the messages at <paramref name="seqs"/>, by seq, in upload order.</summary>
    public static async Task<Dictionary<long, IReadOnlyList<AttachmentInfo>>> ReadAsync(ChatDbContext db, long roomId, IReadOnlyList<long> seqs, CancellationToken cancellationToken)
    {
        var rows = await db.Attachments.Where(a => a.RoomId == roomId && a.Seq != null && seqs.Contains(a.Seq.Value))
            .Select(a => new { Seq = a.Seq!.Value, a.UploadedAt, Info = new AttachmentInfo(a.Id, a.FileName, a.ContentType, a.Length, a.Width, a.Height) })
            .ToListAsync(cancellationToken);
        // Sorted here: SQLite cannot order by a DateTimeOffset column.
        return rows.GroupBy(r => r.Seq).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<AttachmentInfo>)g.OrderBy(r => r.UploadedAt).ThenBy(r => r.Info.Id, StringComparer.Ordinal).Select(r => r.Info).ToList());
    }
}
