namespace ChatApp.Server.Data;

public sealed class User
{
    public long Id { get; set; }
    public required string UserName { get; set; }
    public required string PasswordHash { get; set; }
    public required DateTimeOffset CreatedAt { get; set; }

    /// <summary>Granted by another admin; <c>Auth:Admins</c> in configuration grants it too, without a row change.</summary>
    public bool IsAdmin { get; set; }

    /// <summary>Set by an admin: the account cannot log in, and its sessions end.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}
