using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GenArt.Benchmarks.FrontEnd;

/// <summary>`genart serve` as a child process on free loopback ports, with a fresh data directory and API key.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _data;

    private ServerProcess(Process process, string data, int port, string key)
    {
        _process = process;
        _data = data;
        Port = port;
        Key = key;
    }

    public int Port { get; }
    public string Key { get; }

    public static async Task<ServerProcess> StartAsync(string model)
    {
        string cli = Path.Combine(RepoRoot(), "src", "GenArt.Cli", "bin", "Release", "net10.0", "genart.dll");
        if (!File.Exists(cli)) throw new FileNotFoundException("build the CLI first: dotnet build src/GenArt.Cli -c Release", cli);
        string data = Directory.CreateTempSubdirectory("genart-bench-").FullName;
        string key = (await RunToEnd(cli, ["keys", "create", "--tenant", "bench", "--data", data])).Trim().Split('\n')[^1];
        int port = FreePort(), metrics = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cli, "serve", "--model", model, "--data", data, "--port", port.ToString(), "--metrics-port", metrics.ToString() })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("serving ", StringComparison.Ordinal) == true) ready.TrySetResult(); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return new ServerProcess(process, data, port, key);
    }

    /// <summary>VmRSS of the server process.</summary>
    public long ResidentBytes() => StatusField("VmRSS:") * 1024;

    /// <summary>VmHWM: the most resident memory the server process has had.</summary>
    public long PeakResidentBytes() => StatusField("VmHWM:") * 1024;

    public int Threads() => (int)StatusField("Threads:");

    private long StatusField(string name)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line[name.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]); // kB for the Vm fields
            }
        throw new InvalidOperationException($"{name} not in /proc/{_process.Id}/status");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private static async Task<string> RunToEnd(string cli, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        info.ArgumentList.Add(cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"genart {string.Join(' ', args)} exited {p.ExitCode}");
        return output;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenArt.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GenArt.sln not found above " + AppContext.BaseDirectory);
    }
}
