using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>What tells a user something happened: toasts for invitations, desktop notifications, a quiet console.</summary>
public sealed class BrowserNoticeTests(BrowserFixture browser)
{
    /// <summary>
    /// A stand-in for the Notification API and for a hidden tab, which headless Chromium cannot show: it records
    /// what the page asks for, and <c>window.__hidden</c> decides what <c>document.visibilityState</c> says.
    /// </summary>
    private const string FakeNotifications = """
        window.__notes = [];
        window.__asked = 0;
        window.__hidden = false;
        class FakeNotification {
          static permission = 'default';
          static requestPermission() { window.__asked++; FakeNotification.permission = 'granted'; return Promise.resolve('granted'); }
          constructor(title, options) { window.__notes.push({ title, body: options?.body ?? '' }); }
          close() {}
        }
        window.Notification = FakeNotification;
        Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => window.__hidden ? 'hidden' : 'visible' });
        Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
        """;

    [Fact]
    public async Task AnInvitationShowsAToastNamingWhoInvitedToWhichRoomAndNoActionLeavesAConsoleError()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        // Alice creates a private room and invites bob (the Members panel is open beside the messages at this width).
        await alice.Page.GetByTestId("new-room").FillAsync("secret");
        await alice.Page.GetByTestId("new-room-private").CheckAsync();
        await alice.Page.GetByTestId("create-room").ClickAsync();
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("# secret");
        await alice.Page.GetByTestId("invite-user").FillAsync("bob");
        await alice.Page.GetByTestId("invite-submit").ClickAsync();

        await Expect(bob.Page.GetByTestId("toast").Filter(new() { HasText = "alice invited you to # secret" })).ToHaveCountAsync(1);
        await Expect(bob.Page.Locator("[data-testid=room-item][data-room=secret]")).ToHaveCountAsync(1);

        // Creating, joining and opening a DM are the user's own doing: no toast, and no console error anywhere.
        await bob.Page.GetByTestId("new-room").FillAsync("open-room");
        await bob.Page.GetByTestId("create-room").ClickAsync();
        await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync("# open-room");
        await alice.Page.GetByTestId("join-room").FillAsync("open-room");
        await alice.Page.GetByTestId("join-room-submit").ClickAsync();
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("# open-room");
        await bob.Page.GetByTestId("dm-user").FillAsync("alice");
        await bob.Page.GetByTestId("dm-open").ClickAsync();
        await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync("alice");
        await bob.SendAsync("hello in private");
        await Expect(alice.Page.Locator("[data-testid=room-item][data-direct=true]")).ToHaveCountAsync(1);

        await Expect(alice.Page.GetByTestId("toast")).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByTestId("toast")).ToHaveCountAsync(1); // the invitation's, nothing since
        Assert.Empty(alice.ConsoleProblems);
        Assert.Empty(bob.ConsoleProblems);
    }

    [Fact]
    public async Task MentionsAndDirectMessagesRaiseADesktopNotificationWhileTheTabIsHiddenAfterTheUserAllowedIt()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await bob.Context.AddInitScriptAsync(FakeNotifications);
        await bob.Page.ReloadAsync();
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        // Nothing is asked on load; the bell asks, once pressed, and then goes away.
        Assert.Equal(0, await bob.Page.EvaluateAsync<int>("() => window.__asked"));
        await bob.Page.GetByTestId("notify-toggle").ClickAsync();
        await Expect(bob.Page.GetByTestId("notify-toggle")).ToBeHiddenAsync();
        Assert.Equal(1, await bob.Page.EvaluateAsync<int>("() => window.__asked"));

        // Seen messages notify nobody; in a hidden tab, a mention and a DM do, and other messages do not.
        await alice.SendAsync("@bob while you look");
        await Expect(bob.Message("@bob while you look")).ToHaveCountAsync(1);
        await bob.Page.EvaluateAsync("() => { window.__hidden = true; document.dispatchEvent(new Event('visibilitychange')); }");
        await alice.SendAsync("nothing for bob");
        await alice.SendAsync("@bob are you there?");
        await alice.Page.GetByTestId("dm-user").FillAsync("bob");
        await alice.Page.GetByTestId("dm-open").ClickAsync();
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("bob");
        await alice.SendAsync("just between us");

        await Expect(bob.Page.Locator("[data-testid=room-item][data-direct=true]")).ToHaveCountAsync(1);
        var seen = await WaitForNotesAsync(bob, 2);
        Assert.Equal(["alice in # general: @bob are you there?", "alice: just between us"], seen);
        await Expect(bob.Page).ToHaveTitleAsync("(3) ChatApp"); // general's two and the DM's one

        // Back in the tab, general (on screen) is read at once: only the DM still counts.
        await bob.Page.EvaluateAsync("() => { window.__hidden = false; document.dispatchEvent(new Event('visibilitychange')); }");
        await Expect(bob.Page).ToHaveTitleAsync("(1) ChatApp");
        await Expect(bob.Page.Locator("[data-testid=room-item][data-room=general] [data-testid=unread-badge]")).ToHaveCountAsync(0);
    }

    private static async Task<string[]> WaitForNotesAsync(ChatPage chat, int count)
    {
        await chat.Page.WaitForFunctionAsync($"() => window.__notes.length >= {count}", null, new() { Timeout = 20_000 });
        return await chat.Page.EvaluateAsync<string[]>("() => window.__notes.map(n => n.title + ': ' + n.body)");
    }
}
