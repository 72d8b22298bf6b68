using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatApp.Server.Messages;

public static class MessagesExtensions
{
    /// <summary>The message path: sends, edits, reactions, history, catch-up and search, with their limits from configuration.</summary>
    public static IHostApplicationBuilder AddChatMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.DefaultHistoryPageSize <= o.MaxHistoryPageSize, "Chat:DefaultHistoryPageSize cannot exceed Chat:MaxHistoryPageSize.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MessageLog>();
        builder.Services.AddSingleton<MessageSearch>();
        return builder;
    }
}
