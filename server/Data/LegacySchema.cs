using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ChatApp.Server.Data;

/// <summary>
/// Adopts databases made before EF Core migrations, when the schema was hand-written SQL versioned by
/// <c>PRAGMA user_version</c> (1 and 2). A version 2 database is exactly what the first migration
/// creates, so adopting it records that migration as applied; a version 1 database gets version 2's
/// script first. After that, migrations own the schema and the version says so (<see cref="Migrations"/>).
/// </summary>
internal static class LegacySchema
{
    /// <summary>The newest hand-written version; the first migration reproduces it.</summary>
    public const int LastVersion = 2;

    /// <summary>
    /// Stamped on every database the migrations manage, so a server from before them (which knows
    /// versions up to 2) refuses it as newer instead of creating tables in it.
    /// </summary>
    public const int Migrations = 3;

    /// <summary>The migration a version 2 database already matches.</summary>
    public const string Baseline = "20261122183513_InitialCreate";

    // Version 2 as it shipped (never edit): read markers, direct rooms, edits and deletes, reactions, mentions, search.
    private const string Version2 = """
        ALTER TABLE RoomMembers ADD COLUMN LastReadSeq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE Rooms ADD COLUMN IsDirect INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE LogEntries ADD COLUMN TargetSeq INTEGER NULL;
        ALTER TABLE LogEntries ADD COLUMN EditedAt TEXT NULL;
        ALTER TABLE LogEntries ADD COLUMN DeletedAt TEXT NULL;

        CREATE TABLE Reactions (
            RoomId INTEGER NOT NULL REFERENCES Rooms (Id),
            Seq INTEGER NOT NULL,
            UserId INTEGER NOT NULL REFERENCES Users (Id),
            Emoji TEXT NOT NULL,
            PRIMARY KEY (RoomId, Seq, UserId, Emoji)
        );

        CREATE TABLE Mentions (
            UserId INTEGER NOT NULL REFERENCES Users (Id),
            RoomId INTEGER NOT NULL REFERENCES Rooms (Id),
            Seq INTEGER NOT NULL,
            PRIMARY KEY (UserId, RoomId, Seq)
        );
        CREATE INDEX IX_Mentions_RoomId_Seq ON Mentions (RoomId, Seq);

        CREATE VIRTUAL TABLE MessageSearch USING fts5 (Text, content = 'LogEntries', content_rowid = 'Id');
        INSERT INTO MessageSearch (rowid, Text) SELECT Id, Text FROM LogEntries WHERE Kind = 'message';
        CREATE TRIGGER LogEntries_Search_Insert AFTER INSERT ON LogEntries WHEN new.Kind = 'message' BEGIN
            INSERT INTO MessageSearch (rowid, Text) VALUES (new.Id, new.Text);
        END;
        CREATE TRIGGER LogEntries_Search_Update AFTER UPDATE OF Text, DeletedAt ON LogEntries
        WHEN old.Kind = 'message' AND old.DeletedAt IS NULL BEGIN
            INSERT INTO MessageSearch (MessageSearch, rowid, Text) VALUES ('delete', old.Id, old.Text);
            INSERT INTO MessageSearch (rowid, Text) SELECT new.Id, new.Text WHERE new.DeletedAt IS NULL;
        END;
        """;

    // The indexes EF Core puts on foreign keys that the hand-written schema left out; with them an adopted
    // database has the same tables, columns, keys and indexes as a new one.
    private const string BaselineIndexes = """
        CREATE INDEX IF NOT EXISTS IX_Reactions_UserId ON Reactions (UserId);
        CREATE INDEX IF NOT EXISTS IX_Rooms_OwnerId ON Rooms (OwnerId);
        """;

    public static async Task<int> ReadVersionAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version;", cancellationToken));

    public static Task StampAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, $"PRAGMA user_version = {Migrations};", cancellationToken);

    /// <summary>Brings a version 1 or 2 database to the baseline migration and records it, in one transaction.</summary>
    public static async Task AdoptAsync(ChatDbContext db, SqliteConnection connection, int version, CancellationToken cancellationToken)
    {
        var history = db.GetService<IHistoryRepository>();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (version < 2)
        {
            await ExecuteAsync(connection, Version2, cancellationToken);
        }

        await ExecuteAsync(connection, BaselineIndexes, cancellationToken);
        await ExecuteAsync(connection, history.GetCreateIfNotExistsScript(), cancellationToken);
        await ExecuteAsync(connection, history.GetInsertScript(new HistoryRow(Baseline, ProductInfo.GetVersion())), cancellationToken);
        await StampAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
