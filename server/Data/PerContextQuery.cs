using System.Collections.Concurrent;

namespace ChatApp.Server.Data;

/// <summary>
/// A compiled query (EF.CompileAsyncQuery), compiled once per context type. A compiled query keeps the first model
/// and provider it ran with, and one test process runs servers on both SQLite and PostgreSQL (two context types).
/// A query that is not compiled builds and funcletizes its LINQ expression tree on every call: on the connect path
/// that was most of the garbage a connect left (about half of 250 KB per connect, at 5,000 connects in a row).
/// </summary>
public sealed class PerContextQuery<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConcurrentDictionary<Type, TQuery> _byContext = new();

    public TQuery For(ChatDbContext db) => _byContext.GetOrAdd(db.GetType(), static (_, compile) => compile(), compile);
}
