using ChatApp.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Tests;

/// <summary>The provider switch and the PostgreSQL migration set, without needing a running PostgreSQL.</summary>
public sealed class PostgresStartupTests
{
    [Fact]
    public async Task ThePostgresProviderWithoutAConnectionStringRefusesToStartAndSaysWhatToSet()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = new ChatServer(new Dictionary<string, string> { ["Storage:Provider"] = "Postgres" });
        });

        Assert.Contains("ConnectionStrings:Postgres is empty", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionStringPostgresCannotParseRefusesToStartWithoutEchoingIt()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = new ChatServer(new Dictionary<string, string>
            {
                ["Storage:Provider"] = "Postgres",
                ["ConnectionStrings:Postgres"] = "Hots=127.0.0.1;Password=hunter22",
            });
        });

        Assert.Contains("not a usable PostgreSQL connection string", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EachProvidersMigrationsMatchTheModelSoNoSchemaChangeIsMissingFromEither()
    {
        using var postgres = new PostgresChatDbContext(new DbContextOptionsBuilder<PostgresChatDbContext>().UseNpgsql("Host=127.0.0.1").Options);
        Assert.False(postgres.Database.HasPendingModelChanges(), "Add a migration: dotnet ef migrations add <Name> --context PostgresChatDbContext --output-dir Data/Migrations/Postgres");
        using var sqlite = new SqliteChatDbContext(new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "Add a migration: dotnet ef migrations add <Name> --context SqliteChatDbContext --output-dir Data/Migrations/Sqlite");
    }
}
