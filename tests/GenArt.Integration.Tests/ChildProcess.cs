using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace GenArt.Integration.Tests;

/// <summary>
/// A child process whose stdout and stderr lines are kept, so a test can await a line (a ready message, a log
/// event) with a bounded timeout instead of sleeping. Disposing kills the whole process tree.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChildProcess(string name, string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        Name = name;
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.Exited += (_, _) => Pulse();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Exited = _process.WaitForExitAsync();
    }

    public string Name { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Completes when the process exits.</summary>
    public Task Exited { get; }

    /// <summary>Everything the process printed so far, for assertion messages.</summary>
    public string Output
    {
        get
        {
            lock (_gate) return string.Join('\n', _lines);
        }
    }

    /// <summary>Lines printed so far that match <paramref name="pattern"/>.</summary>
    public int Count(Regex pattern)
    {
        lock (_gate) return _lines.Count(pattern.IsMatch);
    }

    /// <summary>
    /// The first line at or after line <paramref name="from"/> that matches; fails when the process exits first or the
    /// timeout passes. Returns the match and the index of the line after it.
    /// </summary>
    public async Task<(Match Match, int Next)> WaitForLineAsync(Regex pattern, TimeSpan timeout, int from = 0)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (int i = from; i < _lines.Count; i++)
                {
                    var m = pattern.Match(_lines[i]);
                    if (m.Success) return (m, i + 1);
                }
                from = _lines.Count;
                changed = _changed.Task;
            }
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the redirected streams
                lock (_gate)
                    if (_lines.Skip(from).Any(pattern.IsMatch)) continue;
                throw new AssertionException($"{Name} exited ({_process.ExitCode}) before printing /{pattern}/:\n{Tail()}");
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new AssertionException($"{Name} printed no line matching /{pattern}/ within {timeout.TotalSeconds} s:\n{Tail()}");
            }
        }
    }

    /// <summary>Sends a signal (SIGTERM, SIGINT) to the process.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    /// <summary>kill -9: the process gets no chance to clean up.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for the process to exit; fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new AssertionException($"{Name} did not exit within {timeout.TotalSeconds} s:\n{Tail()}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public string Tail(int lines = 40)
    {
        lock (_gate) return string.Join('\n', _lines.TakeLast(lines));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_gate) _lines.Add(line);
        Pulse();
    }

    private void Pulse()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        old.TrySetResult();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
