namespace ChatApp.Tests;

// The same integration tests, over real connections, with the server on PostgreSQL instead of SQLite: each class
// inherits every test of its SQLite original and changes only where the data lives (a fresh database per test).

/// <summary>Messaging, idempotency, rooms, REST sends and concurrency on PostgreSQL.</summary>
public sealed class PostgresMessagingTests(PostgresServer postgres) : MessagingTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}

/// <summary>Private rooms and direct conversations, edits, deletes, reactions, unread and mentions, presence and search on PostgreSQL.</summary>
public sealed class PostgresFeatureTests(PostgresServer postgres) : FeatureTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}

/// <summary>Registration and login on PostgreSQL, including that a name is taken whatever its case (the ICU collation).</summary>
public sealed class PostgresAuthTests(PostgresServer postgres) : AuthTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}

/// <summary>Disabling accounts, archiving and deleting rooms, removing messages on PostgreSQL.</summary>
public sealed class PostgresAdminTests(PostgresServer postgres) : AdminTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}

/// <summary>Search on PostgreSQL's tsvector, held to what FTS5 does on SQLite.</summary>
public sealed class PostgresSearchTests(PostgresServer postgres) : SearchTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}

/// <summary>History pages, their cap, catch-up after a disconnect and a follower across a restart on PostgreSQL.</summary>
public sealed class PostgresHistoryTests(PostgresServer postgres) : HistoryTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}

/// <summary>Uploads, downloads and messages that carry files on PostgreSQL, where a malformed id must not reach the database.</summary>
public sealed class PostgresAttachmentTests(PostgresServer postgres) : AttachmentTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}
