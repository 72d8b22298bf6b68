namespace ChatApp.Server.Rooms;

/// <summary>What a membership command changed, for the live side (groups and events) to follow.</summary>
public sealed record MembershipChange(string Room, long UserId, string UserName, bool Changed);
