namespace ChatApp.Server.Data;

/// <summary>
/// Knows whether the database file the server opened is still the file at the configured path. SQLite keeps
/// writing to an open file after it is deleted or replaced, and would go on acking commits that no restart
/// will ever see; the writer asks this before every commit and refuses instead.
/// </summary>
/// <remarks>
/// It holds the file open from start-up, so its handle names the same file SQLite's connections opened. On
/// Linux, <c>/proc/self/fd/N</c> says where that file is now: where it was at start-up while all is well, that
/// path with " (deleted)" once it is deleted or another file is renamed over it, another path once its folder
/// moves. One readlink per batch. Elsewhere the check is weaker: whether a file still exists at the path.
/// </remarks>
public sealed class DatabaseFile : IDisposable
{
    private FileStream? _handle;
    private string? _descriptorLink;
    private string? _openedAt; // where the descriptor pointed at start-up (symlinks in the configured path resolved)

    public string? Path { get; private set; }

    private bool _serverOwnsFiles;

    /// <summary>
    /// On a database server (PostgreSQL) there is no file of ours to watch: the server owns its files and
    /// refuses a commit it cannot make durable, which fails the batch instead of acking it.
    /// </summary>
    public void UseDatabaseServer() => _serverOwnsFiles = true;

    public void Open(string path)
    {
        Path = path;
        _handle = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (OperatingSystem.IsLinux())
        {
            _descriptorLink = $"/proc/self/fd/{_handle.SafeFileHandle.DangerousGetHandle()}";
            _openedAt = File.ResolveLinkTarget(_descriptorLink, returnFinalTarget: false)?.FullName;
        }
    }

    /// <summary>Null while the opened file is still at the path; otherwise what happened to it, for errors and health.</summary>
    public string? Problem()
    {
        if (_serverOwnsFiles)
        {
            return null;
        }

        if (Path is null)
        {
            return "the database is not open yet";
        }

        if (_descriptorLink is not null)
        {
            var now = File.ResolveLinkTarget(_descriptorLink, returnFinalTarget: false)?.FullName;
            return now == _openedAt ? null : $"the database file {Path} was deleted, moved or replaced while the server was running (it is now {now})";
        }

        return File.Exists(Path) ? null : $"the database file {Path} is gone";
    }

    public void Dispose() => _handle?.Dispose();
}
