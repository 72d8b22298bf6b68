namespace ChatApp.Server.Data;

/// <summary>
/// An uploaded file, bytes included: kept in the database so that every server of a cluster sharing one
/// database serves it, and so that it is committed (and backed up) with the messages that refer to it.
/// </summary>
public sealed class Attachment
{
    /// <summary>Random, not a counter: an id says nothing about how many files exist.</summary>
    public required string Id { get; set; }

    public required long RoomId { get; set; }
    public required long UploaderId { get; set; }

    /// <summary>The message that carries it; null until a send names it.</summary>
    public long? Seq { get; set; }

    public required string FileName { get; set; }

    /// <summary>Decided by the server from the bytes, never taken from the upload's header.</summary>
    public required string ContentType { get; set; }

    public required long Length { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public required byte[] Data { get; set; }
    public required DateTimeOffset UploadedAt { get; set; }
}
