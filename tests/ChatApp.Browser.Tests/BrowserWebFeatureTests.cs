using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChatApp.Contracts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>Issue #13 in Chromium: the room directory, search and jump, replies, and images shown inline.</summary>
public sealed class BrowserWebFeatureTests(BrowserFixture browser)
{
    /// <summary>A real 40×30 PNG.</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAAK0lEQVR4nO3NMQ0AAAgDsEmafxVIQgYcTfo3056IWCwWi8VisVgsFov/xgtTcpFM0LAPSQAAAABJRU5ErkJggg==");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheDirectoryShowsNamesTopicsAndCountsInNaturalOrderAndRoomsOthersCreateAppearWithoutAReload()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        foreach (var room in new[] { "sim-10", "sim-2", "book-club" })
        {
            await bob.Page.GetByTestId("new-room").FillAsync(room);
            await bob.Page.GetByTestId("create-room").ClickAsync();
            await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync($"# {room}");
            // The form clears itself once the room is open; filling it before that would be undone.
            await Expect(bob.Page.GetByTestId("new-room")).ToHaveValueAsync("");
        }

        bob.Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync("Dune, chapters 1-3");
        await bob.Page.GetByTestId("topic-edit").ClickAsync();
        await Expect(bob.Page.GetByTestId("room-topic")).ToHaveTextAsync("Dune, chapters 1-3");

        // Alice never reloads: the rooms and the topic arrive by RoomChanged.
        var others = alice.Page.GetByTestId("other-room-name");
        await Expect(others).ToHaveTextAsync(["# book-club", "# sim-2", "# sim-10"]);
        await Expect(alice.Page.Locator("[data-testid=other-room][data-room=book-club]")).ToContainTextAsync("Dune, chapters 1-3");
        await Expect(alice.Page.Locator("[data-testid=other-room][data-room=book-club]")).ToContainTextAsync("1 member");
        foreach (var name in await others.AllAsync())
        {
            var box = await name.BoundingBoxAsync();
            Assert.True(box is { Width: > 20 }, "A room's name in the directory is visible, not squeezed to nothing.");
        }

        await alice.Page.GetByTestId("directory-filter").FillAsync("sim-1");
        await Expect(others).ToHaveTextAsync(["# sim-10"]);
        await alice.Page.GetByTestId("directory-filter").FillAsync("");
        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("directory.png") });

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Join book-club" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("# book-club");
        await Expect(alice.Page.GetByTestId("room-topic")).ToHaveTextAsync("Dune, chapters 1-3");
    }

    [Fact]
    public async Task SearchMarksTheMatchedWordsWithoutRunningMarkupAndJumpsToAnOlderMessageInItsRoom()
    {
        await using var host = new ChatTestHost(kestrel: true, limits: false); // 71 posts in a moment: faster than one user may send
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await alice.RegisterAsync();
        using var http = await LoggedInClientAsync(host, "alice");
        await Post(http, "general", "<img src=x onerror=\"document.title='owned'\"> the needle is here");
        // Enough after it that the needle is not in the first page the room loads.
        for (var i = 0; i < 70; i++)
        {
            await Post(http, "general", $"filler {i}");
        }

        await alice.Page.GetByTestId("search-input").FillAsync("needle");
        await alice.Page.GetByTestId("search-input").PressAsync("Enter");

        var result = alice.Page.GetByTestId("search-result");
        await Expect(result).ToHaveCountAsync(1);
        await Expect(result.Locator("mark")).ToHaveTextAsync("needle");
        await Expect(result.GetByTestId("search-result-text")).ToHaveTextAsync("<img src=x onerror=\"document.title='owned'\"> the needle is here");
        await Expect(result).ToContainTextAsync("# general");
        await Expect(result).ToContainTextAsync("alice");
        Assert.Equal(0, await alice.Page.Locator("#search-results img").CountAsync());
        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("search.png") });

        await result.Locator("button").ClickAsync();
        var target = alice.Message("<img src=x onerror=\"document.title='owned'\"> the needle is here");
        await Expect(target).ToBeInViewportAsync();
        await Expect(target).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bflash\b"));
        Assert.NotEqual("owned", await alice.Page.TitleAsync());
    }

    [Fact]
    public async Task AReplyQuotesItsOriginalJumpsToItAndShowsWhenTheOriginalIsDeleted()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        alice.Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync(); // "Delete this message?"

        await alice.SendAsync("lunch at noon?");
        var original = bob.Message("lunch at noon?");
        await Expect(original).ToHaveCountAsync(1);
        await original.HoverAsync();
        await original.GetByTestId("reply").ClickAsync();
        await Expect(bob.Page.GetByTestId("reply-bar")).ToContainTextAsync("Replying to alice");
        await bob.SendAsync("yes, see you there");

        var reply = alice.Message("yes, see you there");
        await Expect(reply.GetByTestId("reply-quote")).ToContainTextAsync("lunch at noon?");
        await Expect(reply.GetByTestId("reply-quote")).ToContainTextAsync("alice");
        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("reply.png") });
        await reply.GetByTestId("reply-quote").ClickAsync();
        await Expect(alice.Message("lunch at noon?")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bflash\b"));

        await alice.Message("lunch at noon?").HoverAsync();
        await alice.Message("lunch at noon?").GetByTestId("delete").ClickAsync();
        await Expect(bob.Message("yes, see you there").GetByTestId("reply-quote")).ToHaveTextAsync("The original message was deleted.");
    }

    [Fact]
    public async Task AnUploadedImageIsShownInlineAtItsSizeToTheOtherUser()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        await alice.Page.GetByTestId("attach-input").SetInputFilesAsync(new FilePayload { Name = "red.png", MimeType = "image/png", Buffer = Png });
        await Expect(alice.Page.GetByTestId("attachment-chip")).ToContainTextAsync("red.png");
        await alice.TypeAndEnterAsync("a red rectangle");

        var image = bob.Message("a red rectangle").GetByTestId("attachment-image");
        await Expect(image).ToHaveAttributeAsync("width", "40");
        await Expect(image).ToHaveAttributeAsync("height", "30");
        await Expect(image).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^data:image/png;base64,"));
        await bob.Page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=attachment-image]')].every(i => i.complete && i.naturalWidth === 40)");
        await bob.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("image.png") });
    }

    private static async Task Post(HttpClient http, string room, string text)
    {
        var response = await http.PostAsJsonAsync($"/api/rooms/{room}/messages", new PostMessageRequest(text, Guid.NewGuid().ToString("N")), Cancellation);
        response.EnsureSuccessStatusCode();
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
