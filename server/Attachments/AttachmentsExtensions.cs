namespace ChatApp.Server.Attachments;

public static class AttachmentsExtensions
{
    /// <summary>Uploads and downloads, with their limits from configuration (checked at start-up).</summary>
    public static IHostApplicationBuilder AddChatAttachments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.AllowedTypes.All(ContentSniffer.KnownTypes.Contains), "Attachments:AllowedTypes may list only types the server recognises from the bytes.")
            .ValidateOnStart();
        return builder;
    }
}
