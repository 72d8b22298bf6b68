using Microsoft.Data.Sqlite;

namespace ChatApp.Server.Data;

/// <summary>
/// Creates and upgrades the SQLite schema from versioned scripts, recorded in <c>PRAGMA user_version</c>.
/// dotnet-ef cannot be restored on this project's machines, so migrations are hand-written SQL.
/// Rules for new versions: append only, never edit a shipped script, never drop data.
/// </summary>
public static class SchemaMigrator
{
    /// <summary>Version N is <c>Scripts[N - 1]</c>.</summary>
    internal static readonly string[] Scripts =
    [
        """
        CREATE TABLE Users (
            Id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            UserName TEXT NOT NULL COLLATE NOCASE,
            PasswordHash TEXT NOT NULL,
            CreatedAt TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IX_Users_UserName ON Users (UserName);

        CREATE TABLE Rooms (
            Id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            Name TEXT NOT NULL COLLATE NOCASE,
            IsPrivate INTEGER NOT NULL,
            OwnerId INTEGER NULL REFERENCES Users (Id),
            LastSeq INTEGER NOT NULL DEFAULT 0,
            CreatedAt TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IX_Rooms_Name ON Rooms (Name);

        CREATE TABLE RoomMembers (
            RoomId INTEGER NOT NULL REFERENCES Rooms (Id) ON DELETE CASCADE,
            UserId INTEGER NOT NULL REFERENCES Users (Id) ON DELETE CASCADE,
            JoinedAt TEXT NOT NULL,
            PRIMARY KEY (RoomId, UserId)
        );
        CREATE INDEX IX_RoomMembers_UserId ON RoomMembers (UserId);

        CREATE TABLE LogEntries (
            Id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            RoomId INTEGER NOT NULL REFERENCES Rooms (Id),
            Seq INTEGER NOT NULL,
            SenderId INTEGER NOT NULL REFERENCES Users (Id),
            Kind TEXT NOT NULL,
            Text TEXT NOT NULL,
            ClientMessageId TEXT NOT NULL,
            SentAt TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IX_LogEntries_RoomId_Seq ON LogEntries (RoomId, Seq);
        CREATE UNIQUE INDEX IX_LogEntries_SenderId_ClientMessageId ON LogEntries (SenderId, ClientMessageId);

        INSERT INTO Rooms (Name, IsPrivate, OwnerId, LastSeq, CreatedAt)
        VALUES ('general', 0, NULL, 0, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'));
        """,
    ];

    public static int LatestVersion => Scripts.Length;

    /// <summary>Applies every script newer than the database, each in its own transaction with its version stamp.</summary>
    public static async Task<(int From, int To)> MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // WAL lets readers run beside the one writer; it is a property of the file, so setting it once persists.
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);

        var current = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version;", cancellationToken));
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database is at schema version {current}, newer than this server's {LatestVersion}. Upgrade the server; the database was left untouched.");
        }

        for (var version = current + 1; version <= LatestVersion; version++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, Scripts[version - 1], cancellationToken);
            await ExecuteAsync(connection, $"PRAGMA user_version = {version};", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return (current, LatestVersion);
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
