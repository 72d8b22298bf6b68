using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChatApp.Contracts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>The browser client end to end: real server on loopback, real Chromium, one browser context per person.</summary>
public sealed class BrowserChatTests(BrowserFixture browser)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoUsersChatInARoomAndInADirectMessage()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        // Both land in the default room.
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("# general");
        await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync("# general");

        await alice.SendAsync("Hello from alice");
        await Expect(bob.Message("Hello from alice")).ToHaveCountAsync(1);
        // Shift+Enter adds a line, Enter sends.
        var composer = bob.Page.GetByTestId("composer");
        await composer.FillAsync("Hi alice, bob here.");
        await composer.PressAsync("Shift+Enter");
        await composer.PressSequentiallyAsync("Second line.");
        await composer.PressAsync("Enter");
        await Expect(alice.ConfirmedMessages.Filter(new() { HasText = "Second line." })).ToHaveCountAsync(1);
        Assert.Equal(["Hello from alice", "Hi alice, bob here.\nSecond line."], await alice.MessageTextsAsync());

        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("chat.png") });

        // A direct message: alice opens it by name; bob finds it in his sidebar.
        await alice.Page.GetByTestId("dm-user").FillAsync("bob");
        await alice.Page.GetByTestId("dm-open").ClickAsync();
        var aliceDm = alice.Page.Locator("[data-testid=room-item][data-direct=true]");
        await Expect(aliceDm).ToHaveCountAsync(1);
        await Expect(aliceDm).ToHaveClassAsync("active");
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("bob");
        await alice.SendAsync("psst, just for you");

        var bobDm = bob.Page.Locator("[data-testid=room-item][data-direct=true]");
        await Expect(bobDm).ToHaveCountAsync(1);
        await bobDm.Locator("button").ClickAsync();
        await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync("alice");
        await Expect(bob.Message("psst, just for you")).ToHaveCountAsync(1);
        await bob.SendAsync("got it");
        await Expect(alice.Message("got it")).ToHaveCountAsync(1);
        Assert.Equal(["psst, just for you", "got it"], await bob.MessageTextsAsync());

        // The DM stays out of general.
        await bob.OpenRoomAsync("general");
        await Expect(bob.Message("Hello from alice")).ToHaveCountAsync(1);
        Assert.DoesNotContain("psst, just for you", await bob.MessageTextsAsync());
    }

    [Fact]
    public async Task EditsDeletesReactionsTypingAndMentionsReachTheOtherUser()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        alice.Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync(); // "Delete this message?"

        await alice.SendAsync("hello @bob, first draft");
        await alice.SendAsync("this one goes away");
        await Expect(bob.Message("this one goes away")).ToHaveCountAsync(1);

        // Typing shows on the other side.
        await bob.Page.GetByTestId("composer").PressSequentiallyAsync("thinking");
        await Expect(alice.Page.GetByTestId("typing")).ToHaveTextAsync("bob is typing…");

        // The message toolbar appears on hover (or keyboard focus), as a person would find it.
        await alice.Message("hello @bob, first draft").HoverAsync();
        await alice.Message("hello @bob, first draft").GetByTestId("edit").ClickAsync();
        await alice.Page.GetByTestId("edit-text").FillAsync("hello @bob, final");
        await alice.Page.GetByTestId("edit-save").ClickAsync();
        await Expect(bob.Message("hello @bob, final")).ToHaveCountAsync(1);
        await Expect(bob.Message("hello @bob, final").GetByTestId("edited")).ToHaveCountAsync(1);

        await alice.Message("this one goes away").HoverAsync();
        await alice.Message("this one goes away").GetByTestId("delete").ClickAsync();
        await Expect(bob.Page.GetByTestId("message-text").GetByText("This message was deleted.")).ToHaveCountAsync(1);
        await Expect(bob.Page.GetByTestId("message-text").GetByText("this one goes away")).ToHaveCountAsync(0);

        await bob.Message("hello @bob, final").HoverAsync();
        await bob.Message("hello @bob, final").GetByTestId("react").ClickAsync();
        await bob.Page.Locator("[data-testid=pick-reaction][data-emoji='👍']").ClickAsync();
        await Expect(alice.Page.Locator("[data-testid=reaction][data-emoji='👍']")).ToContainTextAsync("1");
        // Each side highlights only its own reaction: counts travel, who reacted does not.
        var bobsThumb = bob.Page.Locator("[data-testid=reaction][data-emoji='👍']");
        var alicesThumb = alice.Page.Locator("[data-testid=reaction][data-emoji='👍']");
        await Expect(bobsThumb).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(alicesThumb).ToHaveAttributeAsync("aria-pressed", "false");
        await alicesThumb.ClickAsync();
        await Expect(bobsThumb).ToContainTextAsync("2");
        await Expect(alicesThumb).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(bobsThumb).ToHaveAttributeAsync("aria-pressed", "true"); // alice's reaction did not take bob's mark away

        // Away in another room, bob sees general's unread and mention counts.
        await bob.Page.GetByTestId("new-room").FillAsync("elsewhere");
        await bob.Page.GetByTestId("create-room").ClickAsync();
        await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync("# elsewhere");
        await alice.SendAsync("@bob are you there?");
        await alice.SendAsync("no mention here");
        var general = bob.Page.Locator("[data-testid=room-item][data-room='general']");
        await Expect(general.GetByTestId("unread-badge")).ToHaveTextAsync("2");
        await Expect(general.GetByTestId("mention-badge")).ToHaveTextAsync("@1");
        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("chat-features.png") });
    }

    [Fact]
    public async Task RoomsAreCreatedJoinedAndLeftAndUnreadMessagesShowInTheSidebar()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        // Bob creates a room and moves there; alice joins it by name.
        await bob.Page.GetByTestId("new-room").FillAsync("random");
        await bob.Page.GetByTestId("create-room").ClickAsync();
        await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync("# random");
        await alice.Page.GetByTestId("join-room").FillAsync("random");
        await alice.Page.GetByTestId("join-room-submit").ClickAsync();
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("# random");
        await alice.SendAsync("hi in random");
        await Expect(bob.Message("hi in random")).ToHaveCountAsync(1);

        // While bob reads random, messages in general count as unread there; opening general clears the badge.
        await alice.OpenRoomAsync("general");
        await alice.SendAsync("news in general");
        await alice.SendAsync("more news");
        var bobGeneral = bob.Page.Locator("[data-testid=room-item][data-room=general]");
        await Expect(bobGeneral.GetByTestId("unread-badge")).ToHaveTextAsync("2");
        await bob.OpenRoomAsync("general");
        await Expect(bob.Message("more news")).ToHaveCountAsync(1);
        await Expect(bobGeneral.GetByTestId("unread-badge")).ToHaveCountAsync(0);

        // Alice leaves random: it moves to the rooms she can join again.
        await alice.OpenRoomAsync("random");
        await alice.Page.GetByTestId("leave-room").ClickAsync();
        await Expect(alice.Page.Locator("[data-testid=room-item][data-room=random]")).ToHaveCountAsync(0);
        await Expect(alice.Page.Locator("[data-testid=other-room][data-room=random]")).ToHaveCountAsync(1);
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("# general");
    }

    [Fact]
    public async Task HistorySurvivesAReloadAndOlderPagesLoadOnScrollingUp()
    {
        await using var host = new ChatTestHost(kestrel: true, limits: false); // 70 posts in a moment: faster than one user may send
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await alice.RegisterAsync();
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("# general");

        // More than one history page (50), posted through the REST API by the same user.
        using var http = await LoggedInClientAsync(host, "alice");
        var expected = new List<string>();
        for (var i = 1; i <= 70; i++)
        {
            var text = $"history {i:D2}";
            var response = await http.PostAsJsonAsync("/api/rooms/general/messages", new PostMessageRequest(text, $"h-{i}"), Cancellation);
            response.EnsureSuccessStatusCode();
            expected.Add(text);
        }

        await alice.SendAsync("typed in the browser");
        expected.Add("typed in the browser");
        await Expect(alice.Message("history 70")).ToHaveCountAsync(1);

        await alice.Page.ReloadAsync();
        // Still logged in: straight to the chat, the newest page shown.
        await alice.WaitConnectedAsync();
        await Expect(alice.Page.GetByTestId("login-user")).ToBeHiddenAsync();
        await Expect(alice.Message("typed in the browser")).ToHaveCountAsync(1);

        // Scrolling to the top fetches the older page.
        var scroller = alice.Page.Locator("#messages-scroll");
        await Expect(alice.Message("history 01")).ToHaveCountAsync(0);
        await scroller.EvaluateAsync("el => el.scrollTop = 0");
        await Expect(alice.Message("history 01")).ToHaveCountAsync(1);
        await Expect(alice.Page.GetByTestId("history-status")).ToHaveTextAsync("This is the beginning of the room.");
        Assert.Equal(expected, await alice.MessageTextsAsync());
    }

    [Fact]
    public async Task MessageTextIsShownAsTextAndNeverRuns()
    {
        const string attack = "<img src=x onerror=window.__xss=1> and <script>window.__xss=2</script> <b>bold?</b>";
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        await alice.SendAsync(attack);
        await Expect(bob.Message(attack)).ToHaveCountAsync(1);
        await bob.Page.ReloadAsync();
        await bob.WaitConnectedAsync();
        await Expect(bob.Message(attack)).ToHaveCountAsync(1);

        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await Expect(page.Locator("[data-testid=message-text]").Filter(new() { HasText = "onerror" })).ToHaveTextAsync(attack);
            await Expect(page.Locator("#messages img, #messages script, #messages b")).ToHaveCountAsync(0);
            Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), "a message's markup ran as script");
        }
    }

    [Fact]
    public async Task ClientCatchesUpAfterTheServerRestarts()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.SendAsync("one");
        await bob.SendAsync("two");
        await Expect(alice.Message("two")).ToHaveCountAsync(1);

        // Alice's network goes down just as the server restarts; she stays cut off after it is back.
        alice.HubBlocked = true;
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        await Expect(alice.Banner).ToBeVisibleAsync();
        await host.RestartAsync();

        // Bob reconnects on his own and writes while alice is away; alice writes too (it waits in her outbox).
        await bob.WaitConnectedAsync();
        await bob.SendAsync("three, while alice is away");
        await alice.TypeAndEnterAsync("four, written offline");
        await Expect(alice.Messages.Filter(new() { HasText = "four, written offline" })).ToHaveAttributeAsync("data-pending", "true");
        await Expect(alice.Banner).ToBeVisibleAsync();

        // Her network comes back: she catches up from her last seq and her outbox goes out, once.
        alice.HubBlocked = false;
        await alice.WaitConnectedAsync();
        await Expect(alice.Message("four, written offline")).ToHaveCountAsync(1);
        await Expect(bob.Message("four, written offline")).ToHaveCountAsync(1);
        string[] expected = ["one", "two", "three, while alice is away", "four, written offline"];
        Assert.Equal(expected, await alice.MessageTextsAsync());
        Assert.Equal(expected, await bob.MessageTextsAsync());

        // Seqs are in order with no duplicates.
        var seqs = await alice.Page.Locator("[data-testid=message]").EvaluateAllAsync<long[]>("els => els.map(e => Number(e.dataset.seq))");
        Assert.Equal(seqs.Order().Distinct(), seqs);
    }

    [Fact]
    public async Task ChatIsUsableAtPhoneWidth()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice", new ViewportSize { Width = 380, Height = 740 });
        await alice.RegisterAsync();
        await alice.SendAsync("hello from a phone");

        // The sidebar is tucked away and the toggle brings it in, reachable by keyboard.
        var sidebar = alice.Page.Locator("#sidebar");
        await Expect(sidebar).Not.ToBeInViewportAsync();
        var toggle = alice.Page.GetByRole(AriaRole.Button, new() { Name = "Rooms" });
        await toggle.FocusAsync();
        await alice.Page.Keyboard.PressAsync("Enter");
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(sidebar).ToBeInViewportAsync();
        await alice.Page.Keyboard.PressAsync("Escape");
        await Expect(sidebar).Not.ToBeInViewportAsync();

        var pageWidth = await alice.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(pageWidth <= 380, $"the page is {pageWidth}px wide at a 380px viewport");
        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("chat-phone.png") });
    }

    private static async Task<HttpClient> LoggedInClientAsync(ChatTestHost host, string userName)
    {
        var http = new HttpClient { BaseAddress = host.BaseAddress };
        var response = await http.PostAsJsonAsync(ChatPaths.Login, new LoginRequest(userName, ChatPage.Password), Cancellation);
        response.EnsureSuccessStatusCode();
        var login = await response.Content.ReadFromJsonAsync<LoginResponse>(Cancellation)
            ?? throw new InvalidOperationException("The login answer was empty.");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.AccessToken);
        return http;
    }
}
