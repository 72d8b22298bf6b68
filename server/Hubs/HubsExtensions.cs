using ChatApp.Contracts;
using ChatApp.Server.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Hubs;

public static class HubsExtensions
{
    /// <summary>The hub: SignalR with JSON and MessagePack, its filters, its transport settings, and its clients for the live fan-out.</summary>
    public static IHostApplicationBuilder AddChatHub(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatHubOptions>().BindConfiguration(ChatHubOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.ClientTimeoutSeconds >= 2 * o.KeepAliveSeconds, "Chat:ClientTimeoutSeconds must be at least twice Chat:KeepAliveSeconds.")
            .ValidateOnStart();

        builder.Services.AddSignalR().AddMessagePackProtocol(); // JSON stays; .NET clients may pick MessagePack
        // The filters as instances, one for the server's life: AddFilter<T> wraps a filter in a factory that resolves
        // (or, for a type not registered, creates) it on every hub call, with an async wrapper of its own around each.
        builder.Services.AddSingleton<ChatHubFilter>();
        builder.Services.AddOptions<HubOptions>().Configure<HubConnections, ChatHubFilter>((hub, connections, filter) =>
        {
            hub.AddFilter(connections);
            hub.AddFilter(filter);
        });
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<ChatHubOptions>>((hub, chat) =>
        {
            hub.MaximumReceiveMessageSize = chat.Value.MaximumReceiveMessageSize;
            hub.KeepAliveInterval = TimeSpan.FromSeconds(chat.Value.KeepAliveSeconds);
            hub.ClientTimeoutInterval = TimeSpan.FromSeconds(chat.Value.ClientTimeoutSeconds);
        });

        builder.Services.AddOptions<WebSocketOptions>().Configure<IOptions<ChatHubOptions>>((sockets, chat) =>
        {
            sockets.KeepAliveInterval = TimeSpan.FromSeconds(chat.Value.WebSocketPingSeconds);
            sockets.KeepAliveTimeout = TimeSpan.FromSeconds(chat.Value.WebSocketPongTimeoutSeconds);
        });

        builder.Services.AddSingleton(services =>
        {
            var hub = services.GetRequiredService<IHubContext<ChatHub, IChatClient>>();
            return new LiveHub(hub.Clients, hub.Groups);
        });
        return builder;
    }
}
