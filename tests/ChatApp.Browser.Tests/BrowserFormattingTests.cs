using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>Message formatting in the browser: the markdown people type in chats, sanitized, mentions highlighted.</summary>
public sealed class BrowserFormattingTests(BrowserFixture browser)
{
    [Fact]
    public async Task BoldItalicCodeAndLinksAreFormattedAndLinksOpenInANewTabWithoutTheOpener()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        await alice.TypeAndEnterAsync("**bold** and _italic_ and `inline <b>code</b>`, see https://example.com/a?b=1 or [the docs](https://example.org/docs)");
        await alice.TypeAndEnterAsync("```\nfor (;;) { <i>not html</i> }\nsecond line\n```");
        await alice.TypeAndEnterAsync("# not a heading\n- not a list");

        var formatted = bob.ConfirmedMessages.Filter(new() { Has = bob.Page.Locator("strong") }).GetByTestId("message-text");
        await Expect(formatted.Locator("strong")).ToHaveTextAsync("bold");
        await Expect(formatted.Locator("em")).ToHaveTextAsync("italic");
        await Expect(formatted.Locator("code")).ToHaveTextAsync("inline <b>code</b>");
        await Expect(formatted.Locator("code b")).ToHaveCountAsync(0);

        var links = formatted.Locator("a");
        await Expect(links).ToHaveCountAsync(2);
        await Expect(links.Nth(0)).ToHaveAttributeAsync("href", "https://example.com/a?b=1");
        await Expect(links.Nth(1)).ToHaveAttributeAsync("href", "https://example.org/docs");
        await Expect(links.Nth(1)).ToHaveTextAsync("the docs");
        foreach (var link in await links.AllAsync())
        {
            await Expect(link).ToHaveAttributeAsync("target", "_blank");
            await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer");
        }

        var block = bob.Page.Locator("[data-testid=message-text] pre code");
        await Expect(block).ToHaveTextAsync("for (;;) { <i>not html</i> }\nsecond line\n");
        await Expect(bob.Page.Locator("#messages i")).ToHaveCountAsync(0);

        // What is not chat formatting stays the text it was typed as.
        await Expect(bob.Page.GetByTestId("message-text").Filter(new() { HasText = "# not a heading" })).ToContainTextAsync("- not a list");
        await Expect(bob.Page.Locator("#messages h1, #messages ul, #messages li li")).ToHaveCountAsync(0);
        await bob.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("formatting.png") });
    }

    [Fact]
    public async Task ScriptsEventHandlersAndJavascriptLinksInMarkdownNeverSurvive()
    {
        string[] attacks =
        [
            "<img src=x onerror=\"window.__xss=1\"> raw html",
            "[click me](javascript:window.__xss=2)",
            "[spoof](https://example.com\" onmouseover=\"window.__xss=3) attribute injection",
            "```\n<script>window.__xss=4</script><img src=x onerror=window.__xss=5>\n```",
            "<a href=\"javascript:window.__xss=6\">html link</a>",
            "![pic](https://example.com/x.png\" onerror=\"window.__xss=7) image",
            "<javascript:window.__xss=8> autolink",
            "**<svg onload=window.__xss=9>** in bold",
        ];
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        foreach (var attack in attacks)
        {
            await alice.TypeAndEnterAsync(attack);
        }

        await Expect(bob.ConfirmedMessages).ToHaveCountAsync(attacks.Length);
        await Expect(alice.ConfirmedMessages).ToHaveCountAsync(attacks.Length);
        foreach (var chat in new[] { alice, bob })
        {
            var messages = chat.Page.Locator("#messages");
            // Hover every message, so an onmouseover that got through would have run. Forced: the hovered message's
            // toolbar (with Reply, it is wider) may lie over the next message's text, which is not what this test is about.
            foreach (var text in await chat.Page.Locator("[data-testid=message-text]").AllAsync())
            {
                await text.HoverAsync(new() { Force = true });
            }

            await Expect(messages.Locator("img, script, svg, iframe, [onerror], [onload], [onmouseover], [style]")).ToHaveCountAsync(0);
            var hrefs = await messages.Locator("a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
            Assert.All(hrefs, href => Assert.StartsWith("https://", href, StringComparison.Ordinal));
            Assert.True(await chat.Page.EvaluateAsync<bool>("() => window.__xss === undefined"), "markup in a message ran as script");
        }

        // The payloads are still there to read, as text.
        await Expect(bob.Page.Locator("[data-testid=message-text] pre code")).ToContainTextAsync("<script>window.__xss=4</script>");
        await Expect(bob.Page.GetByTestId("message-text").Filter(new() { HasText = "click me" })).ToContainTextAsync("javascript:window.__xss=2");
    }

    [Fact]
    public async Task MentionsOfTheReaderAreHighlightedAndTheHighlightIsExplained()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        await alice.TypeAndEnterAsync("hey @bob, **look** at `@bob` in code");
        var message = bob.ConfirmedMessages.Filter(new() { Has = bob.Page.Locator("strong") });
        await Expect(message).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmentioned\b"));
        await Expect(message).ToHaveAttributeAsync("title", "Highlighted: this message mentions you");
        await Expect(message.GetByTestId("mention-note")).ToHaveTextAsync("mentions you");
        // The name in the text is marked; the one in code is code.
        await Expect(message.Locator(".mention.me")).ToHaveTextAsync("@bob");
        await Expect(message.Locator("code .mention")).ToHaveCountAsync(0);
        // On alice's side the mention of bob is marked, not highlighted as hers.
        var sent = alice.ConfirmedMessages.Filter(new() { Has = alice.Page.Locator("strong") });
        await Expect(sent.Locator(".mention")).ToHaveTextAsync("@bob");
        await Expect(sent.Locator(".mention.me")).ToHaveCountAsync(0);
    }
}
