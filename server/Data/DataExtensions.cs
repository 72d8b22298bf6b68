using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace ChatApp.Server.Data;

public static class DataExtensions
{
    public static IHostApplicationBuilder AddChatData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .Configure<IConfiguration>((storage, configuration) => storage.PostgresConnectionString = configuration.GetConnectionString("Postgres"))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Both providers are registered; Storage:Provider picks one when the services are first resolved (after
        // all configuration, the test host's included, is in), and the other is never built.
        builder.Services.AddPooledDbContextFactory<SqliteChatDbContext>((services, options) =>
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
                .AddInterceptors(new SqlitePragmas())
                .AddInterceptors(services.GetServices<IInterceptor>()); // any others the host registers
        });
        builder.AddPostgresData();
        builder.Services.AddSingleton<IDbContextFactory<ChatDbContext>>(services =>
            services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Postgres
                ? new ChatDbContextFactory<PostgresChatDbContext>(services.GetRequiredService<IDbContextFactory<PostgresChatDbContext>>())
                : new ChatDbContextFactory<SqliteChatDbContext>(services.GetRequiredService<IDbContextFactory<SqliteChatDbContext>>()));
        builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContext());
        builder.Services.AddSingleton<DatabaseLock>();
        builder.Services.AddSingleton<DatabaseFile>();
        // AddSingleton, not AddHostedService: the latter refuses a factory whose declared type is IHostedService itself.
        builder.Services.AddSingleton<IHostedService>(services =>
            services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Postgres
                ? ActivatorUtilities.CreateInstance<PostgresDatabaseInitializer>(services)
                : ActivatorUtilities.CreateInstance<DatabaseInitializer>(services));

        // The single writer; what it commits goes to ICommittedEffects, which the live side registers.
        builder.Services.AddOptions<WriterOptions>().BindConfiguration(WriterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DatabaseWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DatabaseWriter>());

        // The keys that protect bearer tokens live with the data, so tokens survive a restart.
        builder.Services.AddDataProtection();
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IOptions<StorageOptions>, ILoggerFactory>((keys, storage, logging) =>
        {
            var folder = ResolvePath(builder.Environment, storage.Value.KeysPath);
            // The keys are stored unencrypted (off Windows there is no DPAPI, and no certificate is configured),
            // which is what Data Protection's "No XML encryptor configured" warning says: so the folder is this user's alone.
            if (!OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(folder), logging);
        });
        builder.Services.AddHealthChecks().AddCheck<WriterHealth>("writer", tags: [Hosting.Health.Ready]);
        return builder;
    }

    public static string ResolvePath(IHostEnvironment environment, string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path));
}
