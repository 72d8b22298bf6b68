namespace ChatApp.Server.Rooms;

/// <summary>What a caller may do in a room, resolved in one query.</summary>
public sealed record RoomAccess(long RoomId, string Name, bool IsPrivate, bool IsMember, long? OwnerId)
{
    public bool CanRead => ReadAccess.CanRead(IsPrivate, IsMember);
}
