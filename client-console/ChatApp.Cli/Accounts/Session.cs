using System.Text.Json;
using ChatApp.Contracts;

namespace ChatApp.Cli.Accounts;

/// <summary>
/// Who is logged in where: what <c>chatapp login</c> leaves for <c>chat</c> and <c>send</c>. The refresh token
/// changes with every refresh, so the file is rewritten each time (null in files from before refresh tokens).
/// </summary>
public sealed record Session(Uri Server, string UserName, string AccessToken, DateTimeOffset ExpiresAt, string? RefreshToken = null)
{
    public LoginResponse ToLogin(DateTimeOffset now) =>
        new(AccessToken, (long)Math.Max(0, (ExpiresAt - now).TotalSeconds)) { RefreshToken = RefreshToken, UserName = UserName };
}

/// <summary>Keeps the session in one file that only its owner can read (the token is a credential).</summary>
public sealed class SessionStore(string path)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Path { get; } = path;

    public async Task SaveAsync(Session session, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!; // a full path always has a directory
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            if (File.Exists(Path))
            {
                // The create mode applies only to new files; an older file may have been readable by others.
                File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        else
        {
            Directory.CreateDirectory(directory);
        }

        await using var stream = new FileStream(Path, options);
        await JsonSerializer.SerializeAsync(stream, session, Json, cancellationToken);
    }

    public async Task<Session?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        await using var stream = File.OpenRead(Path);
        try
        {
            return await JsonSerializer.DeserializeAsync<Session>(stream, Json, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Delete() => File.Delete(Path);
}
