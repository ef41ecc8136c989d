using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GenArt.Redis.Benchmarks;

/// <summary>A redis-server child process on a free loopback port and a temp dir, for the duration of a run.</summary>
internal sealed class LocalRedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private LocalRedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts redis-server; with <paramref name="appendOnly"/> it keeps an AOF with <c>appendfsync everysec</c>.</summary>
    public static async Task<LocalRedisServer> StartAsync(bool appendOnly = false)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        string directory = Directory.CreateTempSubdirectory("genart-redis-bench-").FullName;
        var info = new ProcessStartInfo("/usr/bin/redis-server") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "everysec" })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.BeginOutputReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(15));
        return new LocalRedisServer(process, directory, port);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
