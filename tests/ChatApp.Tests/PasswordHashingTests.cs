using System.Net;
using System.Net.Http.Json;
using ChatApp.Contracts;
using Microsoft.AspNetCore.Mvc;

namespace ChatApp.Tests;

/// <summary>Password hashing runs behind a small gate, so a login storm cannot take every thread-pool thread.</summary>
public sealed class PasswordHashingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoginsThatWaitTooLongForAHashingSlotAreRefusedAsUnavailableAndSucceedWhenSentAgain()
    {
        // One slot and a wait shorter than a queue of hashes: the 20th login in line waits for 19 hashes of tens of ms each.
        await using var server = new ChatServer(new Dictionary<string, string>
        {
            ["Auth:PasswordHashConcurrency"] = "1",
            ["Auth:PasswordHashWaitSeconds"] = "0.1",
            ["Limits:Enabled"] = "false",
        });
        await server.TokenForAsync("hana");

        var storm = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var login = await server.PostJsonAsync(ChatPaths.Login, new LoginRequest("hana", ChatServer.Password));
            var problem = login.IsSuccessStatusCode ? null : await login.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
            return (login.StatusCode, Code: problem?.Extensions["code"]?.ToString(), login.Headers.RetryAfter?.Delta);
        })).WaitAsync(ChatServer.Timeout, Ct);

        // Each one either got in (and logged in) or was told the server is busy, with a hint when to retry; nothing else.
        Assert.Contains(storm, r => r.StatusCode == HttpStatusCode.OK);
        var refused = storm.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
            Assert.Equal(ChatErrorCodes.Unavailable, r.Code);
            Assert.NotNull(r.Delta);
        });

        // The gate lets go of every slot: once the storm is over, the same login goes through.
        using var again = await server.PostJsonAsync(ChatPaths.Login, new LoginRequest("hana", ChatServer.Password));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
