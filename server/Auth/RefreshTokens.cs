using System.Security.Cryptography;
using System.Text;

namespace ChatApp.Server.Auth;

/// <summary>
/// Refresh tokens are <c>{sessionId}.{secret}</c>, both random. Only a hash is stored, so a copy of the database
/// opens no session; the session id in front finds the session in one lookup, and tells a reused old token
/// (its session is then ended) from garbage (answered 401, nothing else happens).
/// </summary>
public static class RefreshTokens
{
    public static string NewSessionId() => Base64Url(RandomNumberGenerator.GetBytes(16));

    public static string New(string sessionId) => $"{sessionId}.{Base64Url(RandomNumberGenerator.GetBytes(32))}";

    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string? SessionIdOf(string? token)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        return dot > 0 ? token![..dot] : null; // dot > 0 means token is not null
    }

    /// <summary>Compares hashes in constant time, so timing tells nothing about how much of a guess was right.</summary>
    public static bool Matches(string storedHash, string token) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(storedHash), Encoding.ASCII.GetBytes(Hash(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
