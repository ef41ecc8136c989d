using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GenArt.Redis.Tests.Infrastructure;

/// <summary>
/// A real redis-server child process on 127.0.0.1, a free port and a temp dir; no persistence unless
/// <c>extraArgs</c> turn it on (later arguments win).
/// Readiness is its "Ready to accept connections" log line followed by a successful TCP connect.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string[] _extraArgs;
    private readonly bool _tlsOnly;
    private readonly List<string> _log = [];
    private Process? _process;

    private RedisServerProcess(int port, string directory, string[] extraArgs, bool tlsOnly)
    {
        Port = port;
        Directory = directory;
        _extraArgs = extraArgs;
        _tlsOnly = tlsOnly;
    }

    public int Port { get; }

    public string Directory { get; }

    public string ConnectionString => $"redis://127.0.0.1:{Port}";

    public RedisOptions Options() => new() { Host = "127.0.0.1", Port = Port };

    /// <summary>Starts a server. With <paramref name="tlsOnly"/> the port is the TLS port and plain TCP is off.</summary>
    public static async Task<RedisServerProcess> StartAsync(string[]? extraArgs = null, bool tlsOnly = false, int? port = null)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("genart-redis-test-").FullName;
        var server = new RedisServerProcess(port ?? FreePort(), directory, extraArgs ?? [], tlsOnly);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Kills the process (SIGKILL, as a crash would) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(StartTimeout);
        _process.Dispose();
        _process = null;
    }

    /// <summary>SIGTERM, as an orderly shutdown: Redis flushes its append-only file and exits.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync().WaitAsync(StartTimeout);
        await _process.WaitForExitAsync().WaitAsync(StartTimeout);
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same port and directory.</summary>
    public Task RestartAsync() => StartProcessAsync();

    public string LogTail
    {
        get
        {
            lock (_log) return string.Join('\n', _log.TakeLast(20));
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
        string[] portArgs = _tlsOnly ? ["--port", "0", "--tls-port", Port.ToString()] : ["--port", Port.ToString()];
        foreach (string arg in portArgs.Concat([
                     "--bind", "127.0.0.1", "--dir", Directory, "--save", "", "--appendonly", "no",
                     "--daemonize", "no", "--logfile", "", "--loglevel", "notice",
                 ]).Concat(_extraArgs))
            info.ArgumentList.Add(arg);

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null) return;
            lock (_log) _log.Add(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal)) ready.TrySetResult();
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
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
