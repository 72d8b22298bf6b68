using ChatApp.Contracts;
using ChatApp.Server.Live;

namespace ChatApp.Server.Cluster;

/// <summary>What the fan-out does next for a room, in this order.</summary>
public abstract record SequencerStep;

/// <summary>Send the entry to this node's connections in its room.</summary>
public sealed record DeliverStep(ChatMessage Entry) : SequencerStep;

/// <summary>Apply the group change now: its place in the log has been reached.</summary>
public sealed record ApplyStep(GroupChange Change) : SequencerStep;

/// <summary>
/// A change that arrived after this node's place in the room had moved past it, which happens only while no
/// connection of this node was in the room (or before this node heard of the room): the stored changes of its user
/// decide. The fan-out reads that user's last change in (<paramref name="AfterVersion"/>, <paramref name="UpToVersion"/>]
/// (none: <paramref name="Change"/> decides); a join sends the joining connections the entries from its place up to
/// <paramref name="UpToSeq"/> first, a leave takes them out.
/// </summary>
public sealed record LateChangeStep(GroupChange Change, long AfterVersion, long UpToVersion, long UpToSeq) : SequencerStep;

/// <summary>What a room lacks: entries (AfterSeq, UpToSeq] and membership changes after AfterVersion (up to UpToVersion, and any placed before UpToSeq).</summary>
public sealed record RoomGap(string Room, long AfterSeq, long UpToSeq, long AfterVersion, long UpToVersion);
