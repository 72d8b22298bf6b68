using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ChatApp.Server.Data;

/// <summary>
/// Table and column names as the EF model maps them, quoted the provider's way, for the few statements written
/// as plain SQL: they follow the model (and a provider's naming) instead of guessing it.
/// </summary>
public sealed class StoreNames(DbContext db)
{
    private readonly ISqlGenerationHelper _sql = db.GetService<ISqlGenerationHelper>();

    public string Table<TEntity>()
    {
        var table = TableOf<TEntity>(out _);
        return _sql.DelimitIdentifier(table.Name, table.Schema);
    }

    public string Column<TEntity>(string property)
    {
        var table = TableOf<TEntity>(out var entity);
        var column = entity.FindProperty(property)?.GetColumnName(table)
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{property} is not mapped to {table.Name}.");
        return _sql.DelimitIdentifier(column);
    }

    private StoreObjectIdentifier TableOf<TEntity>(out IEntityType entity)
    {
        entity = db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        return StoreObjectIdentifier.Create(entity, StoreObjectType.Table)
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped to a table.");
    }
}
