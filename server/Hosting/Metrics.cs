using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace ChatApp.Server.Hosting;

public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Where Prometheus scrapes (text exposition format).</summary>
    [Required]
    [RegularExpression("^/.*", ErrorMessage = "Metrics:Path must start with '/'.")]
    public string Path { get; set; } = "/metrics";
}

public static class Metrics
{
    /// <summary>
    /// OpenTelemetry metrics: ASP.NET Core, Kestrel, SignalR's connections, the runtime (GC, thread pool) and
    /// ChatApp's own <see cref="ChatMetrics"/>, for Prometheus to scrape; also pushed over OTLP when the
    /// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static IHostApplicationBuilder AddChatMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(
                    "Microsoft.AspNetCore.Hosting",
                    "Microsoft.AspNetCore.Server.Kestrel",
                    "Microsoft.AspNetCore.Http.Connections",
                    "Microsoft.AspNetCore.SignalR",
                    "System.Runtime",
                    ChatMetrics.MeterName)
                .AddPrometheusExporter();
            if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            {
                metrics.AddOtlpExporter();
            }
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapChatMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Path);
        return app;
    }
}
