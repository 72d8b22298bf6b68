using ChatApp.Server.Data;

namespace ChatApp.Server.Auth;

/// <summary>
/// The inserts of a registration and a login, as the writer's kept statements (plain SQL both providers accept), with
/// the model's names quoted the provider's way. Through SaveChanges each built EF's update pipeline again: about a
/// third of what a bench bot's registration and login allocated.
/// </summary>
internal sealed class AuthSql
{
    private static readonly PerModelSql<AuthSql> ByModel = new(names => new AuthSql(names));

    private AuthSql(StoreNames names)
    {
        InsertUser = $"""
            INSERT INTO {names.Table<User>()} ({names.Column<User>(nameof(User.UserName))}, {names.Column<User>(nameof(User.PasswordHash))},
                {names.Column<User>(nameof(User.CreatedAt))}, {names.Column<User>(nameof(User.IsAdmin))})
            VALUES (@name, @hash, @createdAt, @isAdmin) RETURNING {names.Column<User>(nameof(User.Id))}
            """;
        InsertSession = $"""
            INSERT INTO {names.Table<UserSession>()} ({names.Column<UserSession>(nameof(UserSession.Id))}, {names.Column<UserSession>(nameof(UserSession.UserId))},
                {names.Column<UserSession>(nameof(UserSession.RefreshTokenHash))}, {names.Column<UserSession>(nameof(UserSession.CreatedAt))},
                {names.Column<UserSession>(nameof(UserSession.RefreshedAt))}, {names.Column<UserSession>(nameof(UserSession.ExpiresAt))})
            VALUES (@id, @user, @hash, @createdAt, @createdAt, @expiresAt)
            """;
    }

    /// <summary>Parameters @name, @hash, @createdAt, @isAdmin; returns the new user's id.</summary>
    public string InsertUser { get; }

    /// <summary>Parameters @id, @user, @hash, @createdAt (also its first refresh), @expiresAt.</summary>
    public string InsertSession { get; }

    public static AuthSql For(ChatDbContext db) => ByModel.For(db);
}
