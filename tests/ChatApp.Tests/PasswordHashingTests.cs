using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using ChatApp.Contracts;
using ChatApp.Server.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

    [Fact]
    public async Task AServerWithALowIterationCountHashesWithItAndStillAcceptsPasswordsHashedWithTheDefault()
    {
        await using var server = new ChatServer(new Dictionary<string, string> { ["Auth:PasswordHashIterations"] = "1000" });
        var contexts = server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            // As an account made before the setting existed: Identity's default count.
            db.Users.Add(new User { UserName = "veteran", PasswordHash = new PasswordHasher<object>().HashPassword(new object(), ChatServer.Password), CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
        }

        await server.LoginAsync("newcomer"); // registers with the configured count, then logs in

        foreach (var name in new[] { "veteran", "newcomer" })
        {
            using var login = await server.PostJsonAsync(ChatPaths.Login, new LoginRequest(name, ChatServer.Password));
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            using var wrong = await server.PostJsonAsync(ChatPaths.Login, new LoginRequest(name, "not-the-password"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            var hashes = await db.Users.Where(u => u.UserName == "veteran" || u.UserName == "newcomer").ToDictionaryAsync(u => u.UserName, u => u.PasswordHash, Ct);
            Assert.Equal(100_000, IterationsOf(hashes["veteran"]));
            Assert.Equal(1_000, IterationsOf(hashes["newcomer"]));
        }
    }

    [Fact]
    public async Task AServerHashesWithIdentitysDefaultIterationCountUnlessToldOtherwise()
    {
        await using var server = new ChatServer();
        await server.LoginAsync("plain");
        await using var db = await server.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal(100_000, IterationsOf((await db.Users.SingleAsync(u => u.UserName == "plain", Ct)).PasswordHash));
    }

    [Fact]
    public void AStartUpWithAnIterationCountUnderTheFloorFails()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => new ChatServer(new Dictionary<string, string> { ["Auth:PasswordHashIterations"] = "999" }));
        Assert.Contains("PasswordHashIterations", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Identity's V3 format: a 0x01 marker, then the PRF, then the iteration count (big-endian), then salt and subkey.</summary>
    private static int IterationsOf(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        return (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5, 4));
    }
}
