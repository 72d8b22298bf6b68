namespace ChatApp.Tests;

// The same integration tests, over real connections, with the server on PostgreSQL instead of SQLite: each class
// inherits every test of its SQLite original and changes only where the data lives (a fresh database per test).

/// <summary>Messaging, idempotency, history, catch-up across a restart, rooms, REST sends and concurrency on PostgreSQL.</summary>
public sealed class PostgresMessagingTests(PostgresServer postgres) : MessagingTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}

/// <summary>Private rooms and direct conversations, edits, deletes, reactions, unread and mentions, presence and search on PostgreSQL.</summary>
public sealed class PostgresFeatureTests(PostgresServer postgres) : FeatureTests
{
    protected override Task<Dictionary<string, string>> StorageAsync() => postgres.NewDatabaseAsync(TestContext.Current.CancellationToken);
}
