namespace ChatApp.Server.Data;

/// <summary>
/// One login on one device: the refresh token that keeps it going is stored only as a hash, and replaced on
/// every use. Access tokens carry the session's id, so ending the session ends them too.
/// </summary>
public sealed class UserSession
{
    /// <summary>Random and unguessable: it is also the first part of the refresh token.</summary>
    public required string Id { get; set; }
    public required long UserId { get; set; }

    /// <summary>SHA-256 of the current refresh token; an older token of this session no longer matches.</summary>
    public required string RefreshTokenHash { get; set; }

    /// <summary>The token this one replaced: a browser's second tab may still send it for a moment (see <c>Auth:RefreshGraceSeconds</c>).</summary>
    public string? PreviousRefreshTokenHash { get; set; }
    public required DateTimeOffset CreatedAt { get; set; }
    public required DateTimeOffset RefreshedAt { get; set; }
    public required DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
