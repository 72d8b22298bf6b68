using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatApp.Server.Presence;

public static class PresenceExtensions
{
    /// <summary>Online and offline announcements and the typing throttle.</summary>
    public static IHostApplicationBuilder AddChatPresence(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TypingOptions>().BindConfiguration(TypingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PresenceTracker>();
        return builder;
    }
}
