using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GenArt.Redis;

namespace GenArt.Jobs.Tests.Redis;

/// <summary>
/// A real redis-server child process on 127.0.0.1, a free port and a temp dir that is deleted afterwards.
/// Readiness is its "Ready to accept connections" log line followed by a successful TCP connect.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly bool _appendOnly;
    private readonly List<string> _log = [];
    private Process? _process;

    private RedisServerProcess(int port, string directory, bool appendOnly)
    {
        Port = port;
        Directory = directory;
        _appendOnly = appendOnly;
    }

    public int Port { get; }

    public string Directory { get; }

    public RedisOptions Options() => new() { Host = "127.0.0.1", Port = Port };

    /// <summary>Starts a server; with <paramref name="appendOnly"/> it keeps an AOF (fsync every write) in its directory.</summary>
    public static async Task<RedisServerProcess> StartAsync(bool appendOnly = false)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("genart-jobs-redis-").FullName;
        var server = new RedisServerProcess(FreePort(), directory, appendOnly);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>SIGTERM, as an orderly shutdown: Redis flushes its AOF and exits.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
            return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync().WaitAsync(StartTimeout);
        await _process.WaitForExitAsync().WaitAsync(StartTimeout);
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same port and directory.</summary>
    public Task RestartAsync() => StartProcessAsync();

    private string LogTail
    {
        get
        {
            lock (_log)
                return string.Join('\n', _log.TakeLast(20));
        }
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var arg in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--dir", Directory, "--save", "", "--appendonly", _appendOnly ? "yes" : "no",
                     "--appendfsync", "always", "--daemonize", "no", "--logfile", "", "--loglevel", "notice",
                 })
            info.ArgumentList.Add(arg);

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_log)
                _log.Add(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
                ready.TrySetResult();
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited during start-up."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await ready.Task.WaitAsync(StartTimeout);
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(StartTimeout);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"redis-server did not become ready on port {Port}: {e.Message}\n{LogTail}", e);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(StartTimeout);
            _process.Dispose();
            _process = null;
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the OS temp cleanup will take it.
        }
    }
}
