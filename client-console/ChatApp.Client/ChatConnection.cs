using ChatApp.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ChatApp.Client;

/// <summary>
/// A typed connection to the ChatApp hub: every hub method as an async method, every event bindable
/// through <see cref="Subscribe"/>. Reconnects automatically; see <see cref="RoomFollower"/> for exact catch-up.
/// </summary>
public sealed class ChatConnection : IAsyncDisposable
{
    /// <summary>
    /// Waits before each reconnect attempt, the last one repeated for as long as it takes; starts above zero
    /// so a server in shutdown is not re-entered at once.
    /// </summary>
    public static readonly TimeSpan[] DefaultReconnectDelays =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    private readonly Lock _stateGate = new();
    private TaskCompletionSource _stateChanged = NewStateSignal();

    /// <param name="server">The server's base URL; the hub is at <see cref="ChatPaths.Hub"/> under it.</param>
    /// <param name="accessToken">Asked on every connect and reconnect, so a refreshed token is used as soon as there is one.</param>
    public ChatConnection(Uri server, Func<CancellationToken, ValueTask<string?>> accessToken, ChatConnectionOptions? options = null)
    {
        options ??= new ChatConnectionOptions();
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var builder = new HubConnectionBuilder().WithUrl(new Uri(server, ChatPaths.Hub), http =>
        {
            // SignalR's provider takes no token; a connect attempt is bounded by the caller's own cancellation.
            http.AccessTokenProvider = async () => await accessToken(CancellationToken.None);
            http.Transports = options.Transports;
            http.SkipNegotiation = options.SkipNegotiation;
            options.ConfigureHttp?.Invoke(http);
        });
        if (options.Protocol == ChatProtocol.MessagePack)
        {
            // Registered after the builder's JSON protocol, so the connection speaks MessagePack.
            builder.AddMessagePackProtocol();
        }

        // Given delays are tried once each (tests want a bounded wait); by default a client never gives up.
        builder = options.ReconnectDelays is { } delays
            ? builder.WithAutomaticReconnect([.. delays])
            : builder.WithAutomaticReconnect(new KeepRetrying(DefaultReconnectDelays));
        if (options.LoggerFactory is not null)
        {
            builder.Services.AddSingleton(options.LoggerFactory);
        }

        Hub = builder.Build();
        Protocol = options.Protocol;
        AccessToken = accessToken;
        Hub.Reconnecting += OnStateChangedAsync;
        Hub.Reconnected += OnStateChangedAsync;
        Hub.Closed += OnStateChangedAsync;
    }

    public HubConnection Hub { get; }

    public HubConnectionState State => Hub.State;

    public ChatProtocol Protocol { get; }

    /// <summary>The tokens this connection uses, for REST calls made alongside it (uploads).</summary>
    public Func<CancellationToken, ValueTask<string?>> AccessToken { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Hub.StartAsync(cancellationToken);
        }
        finally
        {
            // HubConnection raises no event when a first start ends; waiters still need to hear about it.
            SignalStateChanged();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Hub.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => Hub.DisposeAsync();

    /// <summary>Binds every event of <see cref="IChatClient"/> to <paramref name="handler"/>; dispose the result to unbind.</summary>
    public IDisposable Subscribe(IChatClient handler)
    {
        IDisposable[] subscriptions =
        [
            Hub.On<ChatMessage>(nameof(IChatClient.MessageReceived), handler.MessageReceived),
            Hub.On<ChatMessage>(nameof(IChatClient.MessageEdited), handler.MessageEdited),
            Hub.On<ChatMessage>(nameof(IChatClient.MessageDeleted), handler.MessageDeleted),
            Hub.On<ChatMessage>(nameof(IChatClient.ReactionChanged), handler.ReactionChanged),
            Hub.On<string>(nameof(IChatClient.UserOnline), handler.UserOnline),
            Hub.On<string>(nameof(IChatClient.UserOffline), handler.UserOffline),
            Hub.On<string, string>(nameof(IChatClient.UserJoined), handler.UserJoined),
            Hub.On<string, string>(nameof(IChatClient.UserLeft), handler.UserLeft),
            Hub.On<string, string>(nameof(IChatClient.Typing), handler.Typing),
            Hub.On<RoomInfo>(nameof(IChatClient.RoomJoined), handler.RoomJoined),
            Hub.On<string>(nameof(IChatClient.RoomLeft), handler.RoomLeft),
            Hub.On<string>(nameof(IChatClient.RoomChanged), handler.RoomChanged),
        ];
        return new Subscriptions(subscriptions);
    }

    public Task<RoomInfo> CreateRoomAsync(string name, bool isPrivate, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<RoomInfo>(nameof(IChatHub.CreateRoom), name, isPrivate, cancellationToken);

    public Task<RoomInfo> JoinRoomAsync(string room, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<RoomInfo>(nameof(IChatHub.JoinRoom), room, cancellationToken);

    public Task LeaveRoomAsync(string room, CancellationToken cancellationToken) =>
        Hub.InvokeAsync(nameof(IChatHub.LeaveRoom), room, cancellationToken);

    public Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(CancellationToken cancellationToken) =>
        Hub.InvokeAsync<IReadOnlyList<RoomInfo>>(nameof(IChatHub.ListRooms), cancellationToken);

    public Task InviteToRoomAsync(string room, string userName, CancellationToken cancellationToken) =>
        Hub.InvokeAsync(nameof(IChatHub.InviteToRoom), room, userName, cancellationToken);

    public Task RemoveFromRoomAsync(string room, string userName, CancellationToken cancellationToken) =>
        Hub.InvokeAsync(nameof(IChatHub.RemoveFromRoom), room, userName, cancellationToken);

    /// <summary>Deletes a room (its owner, or an admin); its members get RoomLeft.</summary>
    public Task DeleteRoomAsync(string room, CancellationToken cancellationToken) =>
        Hub.InvokeAsync(nameof(IChatHub.DeleteRoom), room, cancellationToken);

    /// <summary>Archives a room or opens it again (its owner, or an admin); those who see it get RoomChanged.</summary>
    public Task ArchiveRoomAsync(string room, bool archived, CancellationToken cancellationToken) =>
        Hub.InvokeAsync(nameof(IChatHub.ArchiveRoom), room, archived, cancellationToken);

    public Task<RoomInfo> OpenDirectAsync(string userName, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<RoomInfo>(nameof(IChatHub.OpenDirect), userName, cancellationToken);

    public Task<IReadOnlyList<MemberInfo>> GetRoomMembersAsync(string room, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<IReadOnlyList<MemberInfo>>(nameof(IChatHub.GetRoomMembers), room, cancellationToken);

    public Task<RoomInfo> MarkReadAsync(string room, long seq, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<RoomInfo>(nameof(IChatHub.MarkRead), room, seq, cancellationToken);

    public Task SetTypingAsync(string room, CancellationToken cancellationToken) =>
        Hub.InvokeAsync(nameof(IChatHub.SetTyping), room, cancellationToken);

    /// <summary>Sends once; answers after the server has committed the message. See <see cref="SendWithRetryAsync"/>.</summary>
    public Task<ChatMessage> SendMessageAsync(string room, string text, string clientMessageId, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessage), room, text, clientMessageId, cancellationToken);

    /// <summary>Sends once with a reply reference and/or attachments (uploaded beforehand over REST).</summary>
    public Task<ChatMessage> SendMessageWithAsync(string room, string text, string clientMessageId, SendExtras extras, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<ChatMessage>(nameof(IChatHub.SendMessageWith), room, text, clientMessageId, extras, cancellationToken);

    /// <summary>The owner sets the room's topic (empty clears it).</summary>
    public Task<RoomInfo> SetRoomTopicAsync(string room, string topic, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<RoomInfo>(nameof(IChatHub.SetRoomTopic), room, topic, cancellationToken);

    /// <summary>
    /// Sends, and if the connection fails before the answer arrives, waits for the reconnect and sends again
    /// with the same <paramref name="clientMessageId"/>: the server answers a retry with the original, so
    /// the message is stored once however often this tries. A refusal from the server is final unless it says to try again.
    /// </summary>
    public async Task<ChatMessage> SendWithRetryAsync(string room, string text, string clientMessageId, int maxAttempts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                await WaitConnectedAsync(cancellationToken);
                return await SendMessageAsync(room, text, clientMessageId, cancellationToken);
            }
            catch (Exception ex) when (IsRetryable(ex, cancellationToken) && attempt < maxAttempts)
            {
                // The connection dropped before the answer (the message may or may not be stored), or the
                // server said nothing was stored and when to try again: either way, the same id again, after a pause.
                retryAfter = ex is HubException hub ? ChatErrors.Parse(hub.Message)?.RetryAfter : null;
            }

            await Task.Delay(retryAfter ?? TimeSpan.FromMilliseconds(Math.Min(100 * attempt * attempt, 5_000)), cancellationToken);
        }
    }

    /// <summary>
    /// A lost connection, or a refusal whose code says nothing was done and it may pass (unavailable,
    /// rate_limited; see <see cref="ChatErrors"/>). A cancellation is final only when it is the caller's
    /// (<paramref name="cancellationToken"/>): the SignalR client cancels the calls still pending when their
    /// connection closes without an error, and such a call may or may not have been carried out, like any other lost one.
    /// </summary>
    public static bool IsRetryable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        HubException hub => ChatErrors.Parse(hub.Message)?.IsRetryable ?? false,
        _ => true,
    };

    public Task<ChatMessage> EditMessageAsync(string room, long seq, string text, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<ChatMessage>(nameof(IChatHub.EditMessage), room, seq, text, cancellationToken);

    public Task<ChatMessage> DeleteMessageAsync(string room, long seq, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<ChatMessage>(nameof(IChatHub.DeleteMessage), room, seq, cancellationToken);

    public Task<ChatMessage> ReactAsync(string room, long seq, string emoji, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<ChatMessage>(nameof(IChatHub.React), room, seq, emoji, cancellationToken);

    public Task<HistoryPage> GetHistoryAsync(string room, long? beforeSeq, int? limit, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<HistoryPage>(nameof(IChatHub.GetHistory), room, beforeSeq, limit, cancellationToken);

    public IAsyncEnumerable<ChatMessage> StreamMessagesSinceAsync(string room, long afterSeq, CancellationToken cancellationToken) =>
        Hub.StreamAsync<ChatMessage>(nameof(IChatHub.StreamMessagesSince), room, afterSeq, cancellationToken);

    public Task<SearchPage> SearchMessagesAsync(string query, string? room, long? beforeId, int? limit, CancellationToken cancellationToken) =>
        Hub.InvokeAsync<SearchPage>(nameof(IChatHub.SearchMessages), query, room, beforeId, limit, cancellationToken);

    /// <summary>Completes when the connection is up, waiting for the reconnect if it is down; fails once it is closed for good.</summary>
    public async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Take the signal before reading the state: a change after the read completes this very task.
            Task changed;
            lock (_stateGate)
            {
                changed = _stateChanged.Task;
            }

            switch (Hub.State)
            {
                case HubConnectionState.Connected:
                    return;
                case HubConnectionState.Disconnected:
                    throw new InvalidOperationException("The connection is closed and will not reconnect; start it again.");
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private Task OnStateChangedAsync<T>(T _)
    {
        SignalStateChanged();
        return Task.CompletedTask;
    }

    private void SignalStateChanged()
    {
        TaskCompletionSource previous;
        lock (_stateGate)
        {
            previous = _stateChanged;
            _stateChanged = NewStateSignal();
        }

        previous.TrySetResult();
    }

    private static TaskCompletionSource NewStateSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class KeepRetrying(TimeSpan[] delays) : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => delays[Math.Min(retryContext.PreviousRetryCount, delays.Length - 1)];
    }

    private sealed class Subscriptions(IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}
