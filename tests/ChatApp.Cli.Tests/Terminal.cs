using System.Text;
using System.Threading.Channels;

namespace ChatApp.Cli.Tests;

/// <summary>Stdin for an in-process command: the test types lines; <see cref="EndInput"/> is end of input.</summary>
public sealed class TypedInput : TextReader
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    public TypedInput(params string[] lines)
    {
        foreach (var line in lines)
        {
            Type(line);
        }
    }

    public void Type(string line) => _lines.Writer.TryWrite(line);

    public void EndInput() => _lines.Writer.TryComplete();

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        await _lines.Reader.WaitToReadAsync(cancellationToken) && _lines.Reader.TryRead(out var line) ? line : null;

    public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();
}

/// <summary>Stdout or stderr for an in-process command: records lines, and lets a test wait (bounded) for one.</summary>
public sealed class RecordedOutput : TextWriter
{
    private readonly List<string> _lines = [];
    private readonly StringBuilder _partial = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Text => string.Join('\n', Lines) + "\n" + _partial;

    public override void Write(char value) => Append(value);

    public override void Write(string? value) => Append(value);

    private void Append(string? value)
    {
        foreach (var c in value ?? "")
        {
            Append(c);
        }
    }

    private void Append(char value)
    {
        lock (_lines)
        {
            if (value == '\n')
            {
                var line = _partial.ToString().TrimEnd('\r');
                _partial.Clear();
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Found.TrySetResult(line);
                }
            }
            else
            {
                _partial.Append(value);
            }
        }
    }

    public override void Write(char[] buffer, int index, int count) => Append(new string(buffer, index, count));

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Append(buffer.ToString());
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Append(buffer.ToString() + "\n");
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Append(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        Append(value + "\n");
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync()
    {
        Append('\n');
        return Task.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The first line (already written or still to come) that matches; fails after the timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        try
        {
            return await WaitAsync(match, timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"No matching line arrived; the output so far:\n{Text}", ex);
        }
    }

    /// <summary>Like <see cref="WaitForLineAsync(Func{string, bool}, TimeSpan?)"/>, among the lines after the first <paramref name="skip"/> only.</summary>
    public async Task<string> WaitForLineAfterAsync(int skip, Func<string, bool> match)
    {
        try
        {
            return await WaitAsync(match, null, skip);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"No matching line arrived after line {skip}; the output so far:\n{Text}", ex);
        }
    }

    private Task<string> WaitAsync(Func<string, bool> match, TimeSpan? timeout, int skip = 0)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.Skip(skip).FirstOrDefault(match) is { } existing)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((match, found));
        }

        return found.Task.WaitAsync(timeout ?? ChatTestServer.Timeout, TestContext.Current.CancellationToken);
    }

    public Task<string> WaitForLineAsync(string contains, TimeSpan? timeout = null) =>
        WaitForLineAsync(line => line.Contains(contains, StringComparison.Ordinal), timeout);
}
