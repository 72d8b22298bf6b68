using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatApp.Server.Data;

/// <summary>The PostgreSQL half of <see cref="DataExtensions.AddChatData"/>: its connections, context and clock.</summary>
internal static class PostgresData
{
    public static void AddPostgresData(this IHostApplicationBuilder builder)
    {
        // One data source per server: its pool is closed when the host disposes it, so a stopped server leaves no
        // idle connections behind (a test run starts dozens of servers on one PostgreSQL).
        builder.Services.AddSingleton(services =>
        {
            var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            var connection = new NpgsqlConnectionStringBuilder(storage.PostgresConnectionString);
            // Ack means durable: whatever the server's default, this server's sessions commit synchronously.
            connection.Options = $"{connection.Options} -c synchronous_commit=on".Trim();
            return new NpgsqlDataSourceBuilder(connection.ConnectionString).Build();
        });
        builder.Services.AddPooledDbContextFactory<PostgresChatDbContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>())
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .AddInterceptors(services.GetServices<IInterceptor>()));

        // timestamptz keeps microseconds: acks must carry the time the database stores (see PostgresClock).
        builder.Services.AddSingleton<TimeProvider>(services =>
            services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Postgres
                ? new PostgresClock(TimeProvider.System)
                : TimeProvider.System);
    }
}
