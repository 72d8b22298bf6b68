using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>The chat on a phone (360–414 px wide, touch): panels that get out of the way, messages that stay compact.</summary>
public sealed class BrowserPhoneTests(BrowserFixture browser)
{
    private static readonly ViewportSize Phone = new() { Width = 360, Height = 740 };

    [Fact]
    public async Task AtPhoneWidthTheMembersPanelClosesOnATapOutsideOnEscapeAndOnARoomChangeAndNeverCoversItsButton()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await bob.RegisterAsync();
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice", Phone, touch: true);
        await alice.RegisterAsync();
        await alice.SendAsync("hello from a phone");

        var panel = alice.Page.Locator("#members-panel");
        var toggle = alice.Page.GetByTestId("members-toggle");
        await Expect(panel).ToBeHiddenAsync();

        // Open: the panel lies below the room header, and its button still closes it.
        await toggle.TapAsync();
        await Expect(panel).ToBeVisibleAsync();
        await Expect(panel.Locator("[data-testid=member][data-user=bob]")).ToHaveCountAsync(1);
        var panelBox = await panel.BoundingBoxAsync() ?? throw new InvalidOperationException("the panel has no box");
        var toggleBox = await toggle.BoundingBoxAsync() ?? throw new InvalidOperationException("the button has no box");
        Assert.True(panelBox.Y >= toggleBox.Y + toggleBox.Height, $"the panel (top {panelBox.Y}) covers its button (bottom {toggleBox.Y + toggleBox.Height})");
        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("phone-members.png") });
        await toggle.TapAsync();
        await Expect(panel).ToBeHiddenAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");

        // A tap outside it (the room's name, in the header it leaves free) closes it.
        await toggle.TapAsync();
        await Expect(panel).ToBeVisibleAsync();
        await alice.Page.GetByTestId("room-title").TapAsync();
        await Expect(panel).ToBeHiddenAsync();

        // Escape closes it and gives the keyboard back to its button.
        await toggle.FocusAsync();
        await alice.Page.Keyboard.PressAsync("Enter");
        await Expect(panel).ToBeVisibleAsync();
        await panel.Locator("button").First.FocusAsync();
        await alice.Page.Keyboard.PressAsync("Escape");
        await Expect(panel).ToBeHiddenAsync();
        await Expect(toggle).ToBeFocusedAsync();

        // Another room (a DM from the panel itself): it closes.
        await toggle.TapAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "Message bob" }).TapAsync();
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("bob");
        await Expect(panel).ToBeHiddenAsync();
    }

    [Fact]
    public async Task AtPhoneWidthAMessageShowsItsActionsOnlyWhenTappedAndTheComposerHintFits()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice", Phone, touch: true);
        await alice.RegisterAsync();
        await alice.SendAsync("short one");
        await alice.SendAsync("another");

        // The bar takes no room of its own: a one-line message stays one line high.
        var message = alice.Message("short one");
        var actions = message.Locator(".actions");
        await Expect(actions).ToHaveCSSAsync("opacity", "0");
        var box = await message.BoundingBoxAsync() ?? throw new InvalidOperationException("the message has no box");
        var lineHeight = await message.GetByTestId("message-text").EvaluateAsync<double>("el => el.getBoundingClientRect().height");
        Assert.True(box.Height < lineHeight * 2 + 40, $"a one-line message is {box.Height}px high (its text {lineHeight}px)");

        // A tap shows it; a tap elsewhere hides it again.
        await message.GetByTestId("message-text").TapAsync();
        await Expect(actions).ToHaveCSSAsync("opacity", "1");
        await Expect(message.GetByTestId("edit")).ToBeVisibleAsync();
        await alice.Message("another").GetByTestId("message-text").TapAsync();
        await Expect(actions).ToHaveCSSAsync("opacity", "0");

        // The placeholder fits the composer.
        var fits = await alice.Page.GetByTestId("composer").EvaluateAsync<bool>("""
            el => {
              const style = getComputedStyle(el);
              const context = document.createElement('canvas').getContext('2d');
              context.font = style.font;
              const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
              return context.measureText(el.placeholder).width <= room;
            }
            """);
        Assert.True(fits, "the composer's placeholder is cut off");
        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.ScreenshotPath("phone-messages.png") });
    }
}
