using ChatApp.Server.Data;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ChatApp.Server.Auth;

/// <summary>
/// The key that signs and checks access tokens. Loaded (or created) before the server takes requests, from
/// configuration or from a file in the data directory that only the server's user can read, so every
/// process given the same key accepts the same tokens and a restart keeps them valid.
/// </summary>
public sealed partial class SigningKey(IOptions<AuthOptions> options, IHostEnvironment environment, ILogger<SigningKey> logger) : IHostedService
{
    private SymmetricSecurityKey? _key;

    public SymmetricSecurityKey Key => _key ?? throw new InvalidOperationException("The signing key is loaded when the host starts.");

    public SigningCredentials Credentials => new(Key, SecurityAlgorithms.HmacSha256);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (!string.IsNullOrEmpty(auth.SigningKey))
        {
            _key = new SymmetricSecurityKey(Convert.FromBase64String(auth.SigningKey));
            return;
        }

        var path = DataExtensions.ResolvePath(environment, auth.SigningKeyPath);
        if (File.Exists(path))
        {
            _key = new SymmetricSecurityKey(Convert.FromBase64String((await File.ReadAllTextAsync(path, cancellationToken)).Trim()));
            return;
        }

        var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(64);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!); // a full path always has a directory
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            await using (var file = new FileStream(path, create))
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteAsync(Convert.ToBase64String(bytes).AsMemory(), cancellationToken);
            }

            _key = new SymmetricSecurityKey(bytes);
            LogCreated(logger, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process sharing the data directory created it first: use theirs.
            _key = new SymmetricSecurityKey(Convert.FromBase64String((await File.ReadAllTextAsync(path, cancellationToken)).Trim()));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created a new access-token signing key at {Path}")]
    private static partial void LogCreated(ILogger logger, string path);
}
