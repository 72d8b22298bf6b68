using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ChatApp.Server.Data;

/// <summary>
/// The chat model on SQLite. Exists so SQLite's migrations (<c>Data/Migrations/Sqlite/</c>) belong to a
/// context type of their own; a PostgreSQL subclass would get its own set beside them.
/// </summary>
public sealed class SqliteChatDbContext(DbContextOptions<SqliteChatDbContext> options) : ChatDbContext(options);

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the server (which would open
/// the real database, take its lock and start the writer). Migrations are generated, never applied, from here.
/// </summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteChatDbContext>
{
    public SqliteChatDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Hands out the provider's context as the <see cref="ChatDbContext"/> every feature asks for.</summary>
internal sealed class ChatDbContextFactory<TContext>(IDbContextFactory<TContext> provider) : IDbContextFactory<ChatDbContext>
    where TContext : ChatDbContext
{
    public ChatDbContext CreateDbContext() => provider.CreateDbContext();

    public async Task<ChatDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await provider.CreateDbContextAsync(cancellationToken);
}
