namespace ChatApp.Server.Data;

/// <summary>
/// A session that was revoked (logout, a reused refresh token, a disabled account), numbered in the order ends are
/// stored. Written by a trigger on <c>Sessions.RevokedAt</c> (in the SessionEnds migrations), so every revocation counts,
/// whoever wrote it. Every node's session watch reads only the ends after the last it has seen, instead of every open
/// connection's session row on each check: with thousands of idle connections that read was most of what an idle
/// server allocated (bench/README.md, "Memory per connection").
/// </summary>
public sealed class SessionEnd
{
    public long Id { get; set; }

    public required string SessionId { get; set; }

    public required DateTimeOffset EndedAt { get; set; }
}
