using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ChatApp.Server.Data;

/// <summary>
/// The chat model on PostgreSQL, with its own migrations (<c>Data/Migrations/Postgres/</c>). The only model
/// change: SQLite's NOCASE collation becomes a case-insensitive ICU collation, so names compare, collide
/// in unique indexes and are found the same way on both engines.
/// </summary>
public sealed class PostgresChatDbContext(DbContextOptions<PostgresChatDbContext> options) : ChatDbContext(options)
{
    /// <summary>
    /// Case-insensitive, accent-sensitive (ICU strength 2). Nondeterministic, so equality and unique indexes
    /// follow it; PostgreSQL then refuses LIKE on these columns, which nothing here uses. Unlike SQLite's
    /// NOCASE it folds case beyond ASCII too, which user names (ASCII only) and room names (lower-cased) never reach.
    /// </summary>
    public const string CaseInsensitive = "case_insensitive";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.HasCollation(CaseInsensitive, locale: "und-u-ks-level2", provider: "icu", deterministic: false);
        modelBuilder.Entity<User>().Property(u => u.UserName).UseCollation(CaseInsensitive);
        modelBuilder.Entity<Room>().Property(r => r.Name).UseCollation(CaseInsensitive);
    }
}

/// <summary>Builds the model for <c>dotnet ef migrations add --context PostgresChatDbContext</c>; connects to nothing.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresChatDbContext>
{
    public PostgresChatDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresChatDbContext>().UseNpgsql("Host=127.0.0.1;Database=design-time").Options);
}
