using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatApp.Server.Rooms;

public static class RoomsExtensions
{
    /// <summary>Rooms: who may read which, membership changes and their live announcements.</summary>
    public static IHostApplicationBuilder AddChatRooms(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RoomQueries>();
        builder.Services.AddSingleton<RoomMembership>();
        return builder;
    }
}
