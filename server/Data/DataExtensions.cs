using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Data;

public static class DataExtensions
{
    public static IHostApplicationBuilder AddChatData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddPooledDbContextFactory<ChatDbContext>((services, options) =>
        {
            var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            var path = ResolvePath(builder.Environment, storage.DatabasePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!); // a full path always has a directory
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Pooling = true,
                DefaultTimeout = storage.BusyTimeoutSeconds,
            }.ToString();
            options.UseSqlite(connectionString)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .AddInterceptors(new SqlitePragmas());
        });
        builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContext());
        builder.Services.AddHostedService<DatabaseInitializer>();
        builder.Services.AddHealthChecks().AddDbContextCheck<ChatDbContext>();
        return builder;
    }

    public static string ResolvePath(IHostEnvironment environment, string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path));
}
