using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Data;

/// <summary>
/// The writer's context, its open connection and the commands compiled on it. On SQLite one session serves batch after
/// batch, so what a batch compiles is there for the next; the writer drops it after a batch that fails, and the next
/// batch opens a new one, as a batch opened a pooled connection before.
/// </summary>
/// <remarks>
/// On PostgreSQL a session lasts one batch: Npgsql keeps prepared statements per physical connection by itself, and a
/// pooled connection per batch keeps a node's writer on what the pool knows about the server (a restart, a failover).
/// A long-lived context is safe here because the writer clears its change tracker after every command and every run.
/// </remarks>
internal sealed class WriterSession : IAsyncDisposable
{
    private WriterSession(ChatDbContext db)
    {
        Db = db;
        Statements = new WriterStatements(db.Database.GetDbConnection());
        KeptAcrossBatches = db.Database.IsSqlite();
    }

    public ChatDbContext Db { get; }

    public WriterStatements Statements { get; }

    public bool KeptAcrossBatches { get; }

    public static async Task<WriterSession> OpenAsync(IDbContextFactory<ChatDbContext> contexts, CancellationToken cancellationToken)
    {
        var db = await contexts.CreateDbContextAsync(cancellationToken);
        try
        {
            // Every command run alone is in a savepoint of the writer's already: EF's own around its SaveChanges was a
            // second one, two more statements per command.
            db.Database.AutoSavepointsEnabled = false;
            // Opened here, it stays open across transactions until the session is disposed (the commands need it open).
            await db.Database.OpenConnectionAsync(cancellationToken);
            return new WriterSession(db);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The commands were made on this connection: they go with it.
        await Statements.DisposeAsync();
        await Db.Database.CloseConnectionAsync();
        await Db.DisposeAsync();
    }
}
