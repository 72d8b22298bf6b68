using System.Threading.Channels;
using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Hosting;
using ChatApp.Server.Live;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Cluster;

/// <summary>ClusterFanout, continued: applying group changes to this node's connections, late ones included.</summary>
public sealed partial class ClusterFanout
{
    /// <summary>A change from before this node followed the room: the user's stored changes since decide whether they are in.</summary>
    private async Task ApplyLateAsync(LateChangeStep late, CancellationToken cancellationToken)
    {
        var change = late.Change;
        if (Targets(change).Count == 0)
        {
            return;
        }

        try
        {
            var decided = late.UpToVersion > late.AfterVersion && change.UserId is { } user
                ? await log.LatestChangeAsync(change.Room, user, late.AfterVersion, late.UpToVersion, cancellationToken) ?? change
                : change;
            if (decided.Join && decided.AtSeq is { } at && at < late.UpToSeq)
            {
                var missed = await log.EntriesAsync(change.Room, at, late.UpToSeq, cancellationToken);
                // A connection already in the room had these live; only a newcomer is sent them.
                foreach (var connection in Targets(change).Where(c => !rooms.IsIn(change.Room, c)))
                {
                    foreach (var entry in missed)
                    {
                        Started(hub.Clients.Client(connection).DeliverEntry(entry));
                    }
                }
            }

            Apply(change with { Join = decided.Join });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A join still happens; what it missed the client gets from StreamMessagesSince when it next catches up.
            LogWorkFailed(logger, ex);
            Apply(change);
        }
    }

    private IReadOnlyList<string> Targets(GroupChange change) =>
        change.ConnectionId is { } one ? [one] : registry.ConnectionsOf(change.UserId ?? 0);

    // The SignalR group is kept too (its sends go through the backplane to every node): typing, joins and
    // leaves are announced to it. Entries never are: they go out from here, connection by connection.
    private void Apply(GroupChange change)
    {
        foreach (var connection in Targets(change))
        {
            // Not awaited: with the backplane a group change subscribes in Redis, and a Redis outage must not stall the entries.
            if (change.Join)
            {
                if (rooms.Join(change.Room, connection))
                {
                    Started(hub.Groups.AddToGroupAsync(connection, RoomGroups.For(change.Room)));
                }
            }
            else
            {
                rooms.Leave(change.Room, connection);
                Started(hub.Groups.RemoveFromGroupAsync(connection, RoomGroups.For(change.Room)));
            }
        }
    }
}
