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
        // Version 2: chat features. Read markers, direct rooms, edits and deletes, reactions, mentions, full-text search.
        """
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

        -- External-content FTS5 over message text, kept in step by triggers; deleted messages leave the index.
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
        """,
        // Version 3: sessions with hashed, rotating refresh tokens; admins and disabled accounts; archived and deleted rooms.
        """
        ALTER TABLE Users ADD COLUMN IsAdmin INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE Users ADD COLUMN DisabledAt TEXT NULL;
        ALTER TABLE Rooms ADD COLUMN ArchivedAt TEXT NULL;
        ALTER TABLE Rooms ADD COLUMN DeletedAt TEXT NULL;

        CREATE TABLE Sessions (
            Id TEXT NOT NULL PRIMARY KEY,
            UserId INTEGER NOT NULL REFERENCES Users (Id) ON DELETE CASCADE,
            RefreshTokenHash TEXT NOT NULL,
            PreviousRefreshTokenHash TEXT NULL,
            CreatedAt TEXT NOT NULL,
            RefreshedAt TEXT NOT NULL,
            ExpiresAt TEXT NOT NULL,
            RevokedAt TEXT NULL
        );
        CREATE INDEX IX_Sessions_UserId ON Sessions (UserId);
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
