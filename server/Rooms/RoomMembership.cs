using ChatApp.Contracts;
using ChatApp.Server.Auth;
using ChatApp.Server.Data;
using ChatApp.Server.Live;

namespace ChatApp.Server.Rooms;

/// <summary>
/// Membership changes: the stored change goes through the writer, whose commit also moves the user's
/// connections in or out of the room's group (in order with the room's entries); then the room and the
/// user hear of it.
/// </summary>
public sealed class RoomMembership(DatabaseWriter writer, RoomQueries queries, RoomBroadcaster broadcaster, TimeProvider clock)
{
    public async Task<RoomInfo> CreateAsync(ChatUser owner, string name, bool isPrivate, CancellationToken cancellationToken)
    {
        var change = await writer.SubmitAsync(new CreateRoom(owner, RoomNames.NormalizeNew(name), isPrivate, clock.GetUtcNow()), cancellationToken);
        if (!isPrivate)
        {
            // Everyone's room directory shows public rooms; it refreshes on this instead of waiting for a reload.
            broadcaster.Send(clients => clients.All.RoomChanged(change.Room));
        }

        return await AnnounceJoinAsync(change, cancellationToken) ?? await queries.GetInfoAsync(owner, change.Room, cancellationToken);
    }

    public async Task<RoomInfo> SetTopicAsync(ChatUser owner, string room, string? topic, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        var isPrivate = await writer.SubmitAsync(new SetRoomTopic(owner, name, SetRoomTopic.Normalize(topic)), cancellationToken);
        // A private room's topic is its members' business only.
        broadcaster.Send(clients => (isPrivate ? clients.Group(RoomGroups.For(name)) : clients.All).RoomChanged(name));
        return await queries.GetInfoAsync(owner, name, cancellationToken);
    }

    public async Task<RoomInfo> JoinAsync(ChatUser user, string room, CancellationToken cancellationToken)
    {
        var change = await writer.SubmitAsync(new JoinRoom(user, RoomNames.Normalize(room), clock.GetUtcNow()), cancellationToken);
        return await AnnounceJoinAsync(change, cancellationToken) ?? await queries.GetInfoAsync(user, change.Room, cancellationToken);
    }

    public async Task LeaveAsync(ChatUser user, string room, CancellationToken cancellationToken) =>
        AnnounceLeave(await writer.SubmitAsync(new LeaveRoom(user, RoomNames.Normalize(room)), cancellationToken));

    public async Task InviteAsync(ChatUser owner, string room, string userName, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        await AnnounceJoinAsync(await writer.SubmitAsync(new InviteToRoom(owner, name, ExistingName(userName), clock.GetUtcNow()), cancellationToken), cancellationToken);
    }

    public async Task RemoveAsync(ChatUser owner, string room, string userName, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        AnnounceLeave(await writer.SubmitAsync(new RemoveFromRoom(owner, name, ExistingName(userName)), cancellationToken));
    }

    public async Task<RoomInfo> OpenDirectAsync(ChatUser caller, string userName, CancellationToken cancellationToken)
    {
        var (mine, theirs) = await writer.SubmitAsync(new OpenDirect(caller, ExistingName(userName), clock.GetUtcNow()), cancellationToken);
        await AnnounceJoinAsync(theirs, cancellationToken);
        return await AnnounceJoinAsync(mine, cancellationToken) ?? await queries.GetInfoAsync(caller, mine.Room, cancellationToken);
    }

    /// <summary>Puts a new connection into the groups of its user's rooms, in order with membership changes.</summary>
    public Task JoinGroupsAsync(ChatUser user, string connectionId, CancellationToken cancellationToken) =>
        writer.SubmitAsync(new JoinMemberGroups(user.Id, connectionId), cancellationToken);

    public async Task<RoomInfo> MarkReadAsync(ChatUser user, string room, long seq, CancellationToken cancellationToken)
    {
        var name = RoomNames.Normalize(room);
        await writer.SubmitAsync(new MarkRead(user, name, seq), cancellationToken);
        return await queries.GetInfoAsync(user, name, cancellationToken);
    }

    /// <summary>Returns the room as the new member sees it, or null when nothing changed.</summary>
    private async Task<RoomInfo?> AnnounceJoinAsync(MembershipChange change, CancellationToken cancellationToken)
    {
        if (!change.Changed)
        {
            return null;
        }

        var info = await queries.GetInfoAsync(new ChatUser(change.UserId, change.UserName), change.Room, cancellationToken);
        broadcaster.Send(clients => clients.User(UserKey(change.UserId)).RoomJoined(info));
        broadcaster.Send(clients => clients.Group(RoomGroups.For(change.Room)).UserJoined(change.Room, change.UserName));
        return info;
    }

    private void AnnounceLeave(MembershipChange change)
    {
        if (change.Changed)
        {
            broadcaster.Send(clients => clients.User(UserKey(change.UserId)).RoomLeft(change.Room));
            broadcaster.Send(clients => clients.Group(RoomGroups.For(change.Room)).UserLeft(change.Room, change.UserName));
        }
    }

    /// <summary>A name no account can have is answered before the writer sees it (and without quoting it back).</summary>
    private static string ExistingName(string? userName) =>
        Credentials.IsUserName(userName) ? userName! : throw Errors.ChatException.NotFound("There is no user by that name."); // IsUserName excludes null

    private static string UserKey(long userId) => userId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
