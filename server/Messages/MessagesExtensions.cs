using ChatApp.Server.Data;
using ChatApp.Server.Errors;
using ChatApp.Server.Hubs;
using ChatApp.Server.Presence;
using ChatApp.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Messages;

public static class MessagesExtensions
{
    /// <summary>The hub, the writer, the fan-out and the message path, with their limits from configuration.</summary>
    public static IHostApplicationBuilder AddChatMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.ClientTimeoutSeconds >= 2 * o.KeepAliveSeconds, "Chat:ClientTimeoutSeconds must be at least twice Chat:KeepAliveSeconds.")
            .Validate(o => o.DefaultHistoryPageSize <= o.MaxHistoryPageSize, "Chat:DefaultHistoryPageSize cannot exceed Chat:MaxHistoryPageSize.")
            .ValidateOnStart();
        builder.Services.AddOptions<WriterOptions>().BindConfiguration(WriterOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddSingleton<HubConnections>();
        builder.Services.AddSignalR(hub =>
        {
            hub.AddFilter<HubConnections>();
            hub.AddFilter<ChatHubFilter>();
        }).AddMessagePackProtocol(); // JSON stays; .NET clients may pick MessagePack
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<ChatOptions>>((hub, chat) =>
        {
            hub.MaximumReceiveMessageSize = chat.Value.MaximumReceiveMessageSize;
            hub.KeepAliveInterval = TimeSpan.FromSeconds(chat.Value.KeepAliveSeconds);
            hub.ClientTimeoutInterval = TimeSpan.FromSeconds(chat.Value.ClientTimeoutSeconds);
        });

        builder.Services.AddOptions<WebSocketOptions>().Configure<IOptions<ChatOptions>>((sockets, chat) =>
        {
            sockets.KeepAliveInterval = TimeSpan.FromSeconds(chat.Value.WebSocketPingSeconds);
            sockets.KeepAliveTimeout = TimeSpan.FromSeconds(chat.Value.WebSocketPongTimeoutSeconds);
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<RoomQueries>();
        builder.Services.AddSingleton<MessageLog>();
        builder.Services.AddSingleton<MessageSearch>();
        builder.Services.AddSingleton<RoomMembership>();
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<RoomBroadcaster>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RoomBroadcaster>());
        builder.Services.AddSingleton<DatabaseWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DatabaseWriter>());
        return builder;
    }
}
