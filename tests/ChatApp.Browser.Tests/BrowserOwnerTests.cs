using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatApp.Browser.Tests;

/// <summary>Issue #13 in Chromium: a room's owner archives and deletes it from the room header.</summary>
public sealed class BrowserOwnerTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnOwnerArchivesTheRoomSoAMembersComposerSaysArchivedThenDeletesItAndItLeavesTheirList()
    {
        await using var host = new ChatTestHost(kestrel: true);
        await using var alice = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "alice");
        await using var bob = await ChatPage.OpenAsync(browser.Browser, host.BaseAddress, "bob");
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await bob.Page.GetByTestId("new-room").FillAsync("book-club");
        await bob.Page.GetByTestId("create-room").ClickAsync();
        await Expect(bob.Page.GetByTestId("room-title")).ToHaveTextAsync("# book-club");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Join book-club" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("room-title")).ToHaveTextAsync("# book-club");
        await alice.SendAsync("before the archive");

        // Only the owner gets the buttons.
        await Expect(alice.Page.GetByTestId("room-archive")).ToBeHiddenAsync();
        await Expect(alice.Page.GetByTestId("room-delete")).ToBeHiddenAsync();
        await bob.Page.GetByTestId("room-archive").ClickAsync();

        // Alice never reloads: RoomChanged tells her client to list the rooms again.
        await Expect(alice.Page.GetByTestId("composer")).ToBeDisabledAsync();
        await Expect(alice.Page.GetByTestId("composer")).ToHaveAttributeAsync("placeholder", "This room is archived: read only");
        await Expect(alice.Message("before the archive")).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("room-archive")).ToHaveTextAsync("Unarchive");
        await Expect(bob.Page.GetByTestId("composer")).ToBeDisabledAsync();

        string? asked = null;
        bob.Page.Dialog += (_, dialog) =>
        {
            asked = dialog.Message;
            _ = dialog.AcceptAsync();
        };
        await bob.Page.GetByTestId("room-delete").ClickAsync();

        await Expect(alice.Page.Locator("[data-testid=room-item][data-room=book-club]")).ToHaveCountAsync(0);
        await Expect(alice.Page.Locator("[data-testid=other-room][data-room=book-club]")).ToHaveCountAsync(0);
        await Expect(bob.Page.Locator("[data-testid=room-item][data-room=book-club]")).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("room-title")).Not.ToHaveTextAsync("# book-club");
        Assert.Contains("book-club", asked, StringComparison.Ordinal);
    }
}
