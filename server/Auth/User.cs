namespace ChatApp.Server.Auth;

public sealed class User
{
    public long Id { get; set; }
    public required string UserName { get; set; }
    public required string PasswordHash { get; set; }
    public required DateTimeOffset CreatedAt { get; set; }
}
