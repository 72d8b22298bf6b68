using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ChatApp.Server.Data;

/// <summary>
/// Statement texts written as plain SQL, built once per EF model from its <see cref="StoreNames"/> (the model's table and
/// column names, quoted the provider's way): one test process runs SQLite and PostgreSQL servers, each with its model.
/// Writers of two hosts in one process share a model; a race only builds the texts twice.
/// </summary>
public sealed class PerModelSql<TSql>(Func<StoreNames, TSql> build)
    where TSql : class
{
    private readonly ConditionalWeakTable<IModel, TSql> _byModel = [];

    public TSql For(ChatDbContext db)
    {
        if (!_byModel.TryGetValue(db.Model, out var sql))
        {
            sql = build(new StoreNames(db));
            _byModel.AddOrUpdate(db.Model, sql);
        }

        return sql;
    }
}
