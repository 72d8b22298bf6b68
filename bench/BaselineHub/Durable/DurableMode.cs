using ChatApp.Contracts;
using ChatApp.Server.Data;
using Microsoft.Extensions.Options;

namespace ChatApp.Bench.BaselineHub.Durable;

/// <summary>
/// The durable bare hub's services and endpoints. Kept out of Program's own code, so the default mode never loads the
/// server's assemblies this mode needs (the JIT resolves only what a compiled method names).
/// </summary>
public static class DurableMode
{
    public static void AddDurableBaseline(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DurableStats>();
        builder.Services.AddSingleton<DurableFanout>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DurableFanout>());
        // The server's checkpoints (section "Checkpoint", the same defaults): the WAL copied on a connection of its own, the
        // writer's own checkpoint only at the WAL's bound. Before the writer, so it stops after it and truncates the WAL.
        builder.Services.AddOptions<CheckpointOptions>().BindConfiguration(CheckpointOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<WalCheckpointer>(services, Options.Create(new StorageOptions
        {
            DatabasePath = Path.GetFullPath(services.GetRequiredService<IOptions<BaselineOptions>>().Value.DatabasePath),
        })));
        builder.Services.AddHostedService(services => services.GetRequiredService<WalCheckpointer>());
        builder.Services.AddSingleton<DurableWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DurableWriter>());
        builder.Services.AddSingleton<DurableDirectory>();
        builder.Services.AddSingleton<DurableLog>();
    }

    public static void MapDurableBaseline(this WebApplication app)
    {
        // The writer's totals since start (batches, messages, commit and batch seconds): bench/run.sh takes two and divides.
        app.MapGet("/stats", (DurableStats stats) => stats.Snapshot());
        app.MapHub<DurableHub>(ChatPaths.Hub);
    }
}
