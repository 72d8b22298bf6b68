using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatApp.Server.Data;

/// <summary>
/// Readiness is "the writer can commit": the database file is still the one opened, and the last commit
/// worked. After a failed commit (read-only file, full disk) it asks the writer for a probe commit, so
/// health comes back on its own when the cause goes away, with or without traffic.
/// </summary>
internal sealed class WriterHealth(DatabaseFile file, DatabaseWriter writer, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The server is shutting down.");
        }

        if (file.Problem() is { } problem)
        {
            return HealthCheckResult.Unhealthy(
                $"The writer cannot commit: {problem}. Nothing is acknowledged until the file is back where it was; a deleted or replaced file needs a restart.");
        }

        if (writer.LastFailure is null)
        {
            return HealthCheckResult.Healthy();
        }

        try
        {
            await writer.SubmitAsync(new ProbeCommit(), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Errors.ChatException)
        {
            return HealthCheckResult.Unhealthy($"The writer's last commit failed: {writer.LastFailure?.Message}");
        }
    }

    /// <summary>
    /// A real write that changes nothing. SQLite: it rewrites the schema stamp, so it needs a writable file and room
    /// for a page. PostgreSQL: taking a transaction id makes the commit write (and flush) a WAL record.
    /// </summary>
    private sealed class ProbeCommit : WriteCommand<bool>
    {
        protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
        {
            await context.Db.Database.ExecuteSqlRawAsync(
                context.Db.Database.IsNpgsql() ? "SELECT pg_current_xact_id();" : $"PRAGMA user_version = {LegacySchema.Migrations};",
                cancellationToken);
            return true;
        }
    }
}
