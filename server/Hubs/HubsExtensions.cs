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

        builder.Services.AddSignalR(hub =>
        {
            hub.AddFilter<HubConnections>();
            hub.AddFilter<ChatHubFilter>();
        }).AddMessagePackProtocol(); // JSON stays; .NET clients may pick MessagePack
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
