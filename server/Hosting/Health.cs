using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatApp.Server.Hosting;

/// <summary>Probe endpoints in the shape orchestrators (Kubernetes) expect.</summary>
public static class Health
{
    /// <summary>Checks tagged with this decide readiness: whether this process should be sent traffic.</summary>
    public const string Ready = "ready";

    /// <summary>
    /// <c>/healthz/live</c> runs no checks: the process answers, so it should not be restarted (a restart
    /// does not fix a full disk). <c>/healthz/ready</c> and <c>/healthz</c> run the readiness checks: 503
    /// while this process cannot serve, such as when its writer cannot commit.
    /// </summary>
    public static IEndpointRouteBuilder MapChatHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = IsReadiness });
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = IsReadiness });
        return app;
    }

    private static bool IsReadiness(HealthCheckRegistration check) => check.Tags.Contains(Ready);
}
