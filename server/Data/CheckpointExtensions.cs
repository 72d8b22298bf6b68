using OpenTelemetry.Metrics;

namespace ChatApp.Server.Data;

public static class CheckpointExtensions
{
    // Seconds. The SDK's default buckets are made for milliseconds (0, 5, 10, 25, ... 10,000), so a histogram in
    // seconds put every batch and every checkpoint in its first bucket or two and could not show a tail at all.
    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    /// <summary>
    /// The background WAL checkpoint (<see cref="CheckpointOptions"/>); call it before the writer is registered, so it
    /// stops after the writer and its last checkpoint finds every commit.
    /// </summary>
    public static IHostApplicationBuilder AddWalCheckpoints(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CheckpointOptions>().BindConfiguration(CheckpointOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<WalCheckpointer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WalCheckpointer>());
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddView("chatapp.writer.commit.duration", new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets })
            .AddView("chatapp.sqlite.checkpoint.duration", new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets }));
        return builder;
    }
}
