using ChatApp.Server.Data;

namespace ChatApp.Server.Live;

public static class LiveExtensions
{
    /// <summary>The live side: open connections, who has which, and the one ordered fan-out queue the writer publishes to.</summary>
    public static IHostApplicationBuilder AddChatLive(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HubConnections>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<IOnlineElsewhere, NowhereElse>(); // cluster mode registers its own
        builder.Services.AddSingleton<RoomBroadcaster>();
        builder.Services.AddSingleton<ICommittedEffects>(services => services.GetRequiredService<RoomBroadcaster>());
        builder.Services.AddHostedService(services => services.GetRequiredService<RoomBroadcaster>());
        return builder;
    }
}
