using ChatApp.Contracts;
using ChatApp.Server.Live;

namespace ChatApp.Server.Cluster;

public sealed partial class RoomSequencer
{
    private sealed class RoomState
    {
        public long Delivered { get; set; }

        public long KnownCommitted { get; set; }

        /// <summary>The member version applied last.</summary>
        public long Version { get; set; }

        public long KnownVersion { get; set; }

        /// <summary>Where this node started following the room (or last jumped): changes at or below it were never seen here.</summary>
        public long Start { get; set; }

        public SortedList<long, HeldEntry> Held { get; } = [];

        public SortedList<long, GroupChange> Pending { get; } = [];

        public List<GroupChange> Waiting { get; } = [];

        public DateTimeOffset? GapSince { get; set; }

        /// <summary>Nothing waits here for its place: with nobody of this node in the room, it need not keep order.</summary>
        public bool NothingWaiting => Pending.Count == 0 && Waiting.Count == 0;
    }
}
