using ChatApp.Contracts;

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
