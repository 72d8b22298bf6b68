using ChatApp.Contracts;

namespace ChatApp.Tests;

/// <summary>
/// What search promises beyond <see cref="FeatureTests"/>, pinned on both engines (<see cref="PostgresSearchTests"/>):
/// SQLite's FTS5 and PostgreSQL's tsvector must agree on case, accents, edits, punctuation and odd input.
/// </summary>
public class SearchTests : IAsyncLifetime
{
    private ChatServer _server = null!; // set by InitializeAsync, which xunit runs before each test

    protected virtual Task<Dictionary<string, string>> StorageAsync() => Task.FromResult(new Dictionary<string, string>());

    public async ValueTask InitializeAsync() => _server = new(await StorageAsync());

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private async Task<List<string>> FindAsync(ChatUserSession user, string query) =>
        (await user.Connection.SearchMessagesAsync(query, "general", null, null, Ct)).Results.Select(m => m.Text).ToList();

    [Fact]
    public async Task SearchIgnoresCaseAndAccentsAndFindsTheEditedTextNotTheOriginal()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await alice.Connection.SendMessageAsync("general", "Café opens at noon", NewId(), Ct);
        var edited = await alice.Connection.SendMessageAsync("general", "the old wording", NewId(), Ct);
        await alice.Connection.EditMessageAsync("general", edited.Seq, "the new phrasing", Ct);

        Assert.Equal(["Café opens at noon"], await FindAsync(alice, "cafe"));
        Assert.Equal(["Café opens at noon"], await FindAsync(alice, "CAFÉ OPEN"));
        Assert.Empty(await FindAsync(alice, "wording"));
        Assert.Equal(["the new phrasing"], await FindAsync(alice, "phras"));
        Assert.Equal(["the new phrasing"], await FindAsync(alice, "new phrasing"));
        Assert.Empty(await FindAsync(alice, "phrasing old"));
    }

    [Fact]
    public async Task PunctuationInsideAWordSplitsItOnBothSidesAndQuotesOrBackslashesAreNeverAnError()
    {
        await using var alice = await _server.UserAsync("alice", "general");
        await alice.Connection.SendMessageAsync("general", "It's Bob's turn to deploy", NewId(), Ct);
        await alice.Connection.SendMessageAsync("general", "a well-known fix", NewId(), Ct);

        Assert.Equal(["It's Bob's turn to deploy"], await FindAsync(alice, "it's"));
        Assert.Equal(["It's Bob's turn to deploy"], await FindAsync(alice, "bob"));
        Assert.Equal(["a well-known fix"], await FindAsync(alice, "known"));
        Assert.Equal(["a well-known fix"], await FindAsync(alice, "well-known"));
        foreach (var odd in new[] { "o'", "x\\", "bob\\'s", "it''s", "deploy' | '", "deploy:*", "& turn", "!deploy", "(turn", "d\\\\'" })
        {
            var page = await alice.Connection.SearchMessagesAsync(odd, null, null, null, Ct);
            Assert.All(page.Results, m => Assert.Equal("general", m.Room));
        }
    }
}
