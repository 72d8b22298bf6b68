using Microsoft.Data.Sqlite;

namespace ChatApp.Tests.Fixtures;

/// <summary>
/// Databases as the server made them before EF Core migrations: the hand-written schema scripts exactly
/// as they shipped (versions 1 and 2, copied from the last SchemaMigrator.cs), stamped in user_version.
/// </summary>
public static class LegacyDatabases
{
    /// <summary>Version N is <c>Scripts[N - 1]</c>.</summary>
    public static readonly string[] Scripts =
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
    ];


    /// <summary>A database at hand-written <paramref name="version"/> with <paramref name="data"/> run after the schema.</summary>
    public static async Task<string> CreateAsync(int version, string data, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "chatapp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "chat.db");
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        for (var v = 1; v <= version; v++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, Scripts[v - 1] + $"PRAGMA user_version = {v};", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await ExecuteAsync(connection, data, cancellationToken);
        return path;
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
