using System.Net.Http.Json;
using ChatApp.Contracts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>Reading a room: grouped messages, day separators, unread counts in the sidebar and the tab title, the read marker.</summary>
public sealed class BrowserReadingTests(BrowserFixture browser)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConsecutiveMessagesOfOneSenderShowTheNameOnceUnderADaySeparator()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        await alice.SendAsync("one");
        await alice.SendAsync("two");
        await alice.SendAsync("three");
        await Expect(bob.Message("three")).ToHaveCountAsync(1);
        await bob.SendAsync("bob answers");
        await alice.SendAsync("alice again");
        await Expect(bob.Message("alice again")).ToHaveCountAsync(1);

        string[] texts = ["one", "two", "three", "bob answers", "alice again"];
        bool[] named = [true, false, false, true, true];
        for (var i = 0; i < texts.Length; i++)
        {
            var message = bob.Message(texts[i]);
            await Expect(message.GetByTestId("sender")).ToHaveCountAsync(named[i] ? 1 : 0);
            // Every message's time is there, its full date in the tooltip; a continued one's shows on hover.
            var time = message.Locator("time");
            await Expect(time).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(@"\d{4}"));
            if (!named[i])
            {
                await Expect(message).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bcontinued\b"));
                await message.HoverAsync();
                await Expect(message.GetByTestId("hover-time")).ToHaveCSSAsync("opacity", "1");
            }
        }

        // One day so far: one separator, above the first message.
        var separators = bob.Page.GetByTestId("day-separator");
        await Expect(separators).ToHaveCountAsync(1);
        await Expect(separators).ToHaveTextAsync("Today");
        Assert.Equal("day-separator", await bob.Page.Locator("#messages > li").First.GetAttributeAsync("data-testid"));
        await bob.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("grouping.png") });

        // Seen a day later, the same messages are yesterday's.
        await bob.Page.Clock.SetFixedTimeAsync(DateTime.Now.AddDays(1));
        await bob.Page.ReloadAsync();
        await bob.WaitConnectedAsync();
        await Expect(bob.Message("alice again")).ToHaveCountAsync(1);
        await Expect(separators).ToHaveTextAsync("Yesterday");
    }

    [Fact]
    public async Task TheTabTitleCountsUnreadMessagesAndTheRoomBeingReadNeverShowsABadgeWhileItsReadMarkerMoves()
    {
        await using var host = new ChatTestHost(kestrel: true, limits: false); // a burst of messages, faster than one user may send
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        // Bob reads general while alice writes a burst: no badge, no count in the title, and the server hears he read it.
        var bobGeneral = bob.Page.Locator("[data-testid=room-item][data-room=general]");
        for (var i = 1; i <= 8; i++)
        {
            await alice.TypeAndEnterAsync($"burst {i}");
        }

        await Expect(bob.Message("burst 8")).ToHaveCountAsync(1);
        await Expect(bobGeneral.GetByTestId("unread-badge")).ToHaveCountAsync(0);
        await Expect(bob.Page).ToHaveTitleAsync("ChatApp");
        using var http = await LoggedInClientAsync(host, "bob");
        await WaitForAsync(async () =>
        {
            var rooms = await http.GetFromJsonAsync<RoomInfo[]>("/api/rooms", Cancellation) ?? [];
            var general = rooms.Single(r => r.Name == "general");
            return general.Unread == 0 && general.LastReadSeq == general.LastSeq;
        }, "bob's read marker in general to reach its last message");

        // Away in another room, general's messages count in the tab title; reading them clears it.
        await bob.Page.GetByTestId("new-room").FillAsync("elsewhere");
        await bob.Page.GetByTestId("create-room").ClickAsync();
        await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync("# elsewhere");
        await alice.SendAsync("news 1");
        await alice.SendAsync("news 2");
        await Expect(bobGeneral.GetByTestId("unread-badge")).ToHaveTextAsync("2");
        await Expect(bob.Page).ToHaveTitleAsync("(2) ChatApp");
        await bob.OpenRoomAsync("general");
        await Expect(bob.Message("news 2")).ToHaveCountAsync(1);
        await Expect(bob.Page).ToHaveTitleAsync("ChatApp");
        await Expect(bobGeneral.GetByTestId("unread-badge")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task TheFullEmojiPickerAddsAReactionWithItsDataServedByTheServer()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        var elsewhere = new List<string>();
        bob.Page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(host.BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                lock (elsewhere)
                {
                    elsewhere.Add(request.Url);
                }
            }
        };
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.SendAsync("react to me");

        var message = bob.Message("react to me");
        await message.HoverAsync();
        await message.GetByTestId("react").ClickAsync();
        // The quick six stay; "+" opens every emoji.
        await Expect(message.GetByTestId("pick-reaction")).ToHaveCountAsync(6);
        await message.GetByTestId("more-reactions").ClickAsync();
        var picker = bob.Page.Locator("emoji-picker");
        await Expect(picker.Locator("[role=tab]").First).ToBeVisibleAsync();
        await bob.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("emoji-picker.png") });
        await picker.Locator("input#search").FillAsync("rocket");
        // Exactly the rocket: a search for it lists the astronaut (🧑‍🚀) first, which contains it.
        await picker.Locator("#search-results [role=option]").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^🚀$") }).ClickAsync();

        await Expect(alice.Page.Locator("[data-testid=reaction][data-emoji='🚀']")).ToContainTextAsync("1");
        await Expect(bob.Page.Locator("[data-testid=reaction][data-emoji='🚀']")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(bob.Page.Locator("emoji-picker")).ToHaveCountAsync(0);
        lock (elsewhere)
        {
            Assert.Empty(elsewhere);
        }

        // The picker styled itself within the content security policy: nothing refused, nothing else went wrong.
        Assert.Empty(bob.ConsoleProblems);
    }

    /// <summary>Asks again every 200 ms, for at most 20 seconds: the server's state has no event to wait on.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(200, Cancellation);
        }
    }

    private static async Task<HttpClient> LoggedInClientAsync(ChatTestHost host, string userName)
    {
        var http = new HttpClient { BaseAddress = host.BaseAddress };
        var response = await http.PostAsJsonAsync(ChatPaths.Login, new LoginRequest(userName, ChatPage.Password), Cancellation);
        response.EnsureSuccessStatusCode();
        var login = await response.Content.ReadFromJsonAsync<LoginResponse>(Cancellation)
            ?? throw new InvalidOperationException("The login answer was empty.");
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", login.AccessToken);
        return http;
    }
}
