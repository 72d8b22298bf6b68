using System.Text.Json;
using System.Threading.Channels;
using ChatApp.Contracts;
using ChatApp.Server.Data;
using ChatApp.Server.Live;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatApp.Server.Cluster;

/// <summary>One committed batch on the wire between nodes: its entries and group changes, in commit order.</summary>
public sealed record ClusterBatch(string Node, IReadOnlyList<ClusterEffect> Effects);

/// <summary>Either an entry (with its room's member version at its commit) or a group change.</summary>
public sealed record ClusterEffect(ChatMessage? Entry = null, GroupChange? Change = null, long? MemberVersion = null);

/// <summary>
/// Committed batches over Redis pub/sub, one channel for the whole cluster. Pub/sub is a doorbell with a
/// payload, not a log: it may reorder two nodes' publishes and drops what is published while a subscriber
/// reconnects; the <see cref="RoomSequencer"/> and the database make up for both. This node's own batches
/// are ignored when they come back: they went into its stream directly at commit.
/// </summary>
public sealed partial class ClusterBus(RedisConnection redis, IOptions<ClusterOptions> options, ILogger<ClusterBus> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Channel<ClusterBatch> _outgoing = Channel.CreateUnbounded<ClusterBatch>(new UnboundedChannelOptions { SingleReader = true });

    private RedisChannel EffectsChannel => RedisChannel.Literal(options.Value.Prefix + ":effects");

    /// <summary>Set by the fan-out: where other nodes' batches go.</summary>
    public Action<IReadOnlyList<object>>? Received { get; set; }

    /// <summary>Set by the fan-out: called when the subscription is back after a loss, so it compares its rooms with the database.</summary>
    public Action? Restored { get; set; }

    /// <summary>Queues a committed batch for the other nodes; never blocks the writer.</summary>
    public void Publish(IReadOnlyList<object> effects)
    {
        var wire = new List<ClusterEffect>(effects.Count);
        Dictionary<string, long>? marks = null;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case MemberVersionMark mark:
                    (marks ??= new(StringComparer.Ordinal))[mark.Room] = mark.MemberVersion;
                    break;
                case ChatMessage entry:
                    wire.Add(new ClusterEffect(Entry: entry, MemberVersion: marks?.TryGetValue(entry.Room, out var version) == true ? version : null));
                    break;
                // A connection's own joins concern only the node it is on, which is this one.
                case GroupChange { ConnectionId: null } change:
                    wire.Add(new ClusterEffect(Change: change));
                    break;
            }
        }

        if (wire.Count > 0)
        {
            _outgoing.Writer.TryWrite(new ClusterBatch(options.Value.NodeName, wire));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var multiplexer = await redis.GetAsync(stoppingToken);
        var subscriber = multiplexer.GetSubscriber();
        // A queue, not a handler: messages are handed over one at a time, in the order Redis sent them.
        // Redis may be down at start-up: the node keeps trying (it is not ready meanwhile), it does not stop.
        while (true)
        {
            try
            {
                var queue = await subscriber.SubscribeAsync(EffectsChannel);
                queue.OnMessage(message => OnMessage(message.Message));
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogSubscribeFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }

        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                LogRestored(logger);
                Restored?.Invoke();
            }
        };

        await foreach (var batch in _outgoing.Reader.ReadAllAsync(stoppingToken))
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(batch, Json);
            // Kept until Redis takes it, in order: a node cut from Redis publishes its backlog when it is back.
            // Meanwhile the others fill the gaps from the database, and drop these as duplicates when they come.
            while (true)
            {
                try
                {
                    await subscriber.PublishAsync(EffectsChannel, payload);
                    break;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    LogPublishFailed(logger, ex);
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
                }
            }
        }
    }

    private void OnMessage(RedisValue message)
    {
        try
        {
            var batch = JsonSerializer.Deserialize<ClusterBatch>((byte[])message!, Json);
            if (batch is null || batch.Node == options.Value.NodeName)
            {
                return;
            }

            var effects = new List<object>(batch.Effects.Count);
            MemberVersionMark? last = null;
            foreach (var effect in batch.Effects)
            {
                if (effect.Entry is { } entry)
                {
                    // A mark holds for the room's entries that follow it: one per run of a room's entries at one version.
                    if (effect.MemberVersion is { } version && (last is null || last.MemberVersion != version || last.Room != entry.Room))
                    {
                        effects.Add(last = new MemberVersionMark(entry.Room, version));
                    }

                    effects.Add(entry);
                }
                else if (effect.Change is { } change)
                {
                    effects.Add(change);
                }
            }

            Received?.Invoke(effects);
        }
        catch (JsonException ex)
        {
            LogUnreadable(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a committed batch to Redis failed; retrying")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to the cluster's batches in Redis failed; retrying")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable cluster batch came from Redis and was dropped")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Redis subscription is back; comparing this node's rooms with the database")]
    private static partial void LogRestored(ILogger logger);
}
