using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Rpc;
using GenArt.Rpc.Client;
using GenArt.Server.Auth;
using JobEvent = GenArt.Api.V1.JobEvent;

namespace GenArt.Integration.Tests;

/// <summary>
/// A deployment on 127.0.0.1 made of real processes: one redis-server (AOF on, in a temp directory), any number of
/// <c>genart serve --redis</c> front ends and <c>genart worker</c> processes, over the tiny reference model.
/// Disposing kills every process and deletes the directory.
/// </summary>
public sealed partial class Cluster : IAsyncDisposable
{
    public const string ModelName = "pipeline";
    private static readonly string Genart = Path.Combine(AppContext.BaseDirectory, "genart.dll");
    private readonly List<ChildProcess> _processes = [];
    private readonly List<RemoteClient> _clients = [];
    private int _workers;

    public Cluster(string[]? queueArgs = null)
    {
        Dir = Path.Combine(Path.GetTempPath(), "genart-integration-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        Key = new ApiKeyStore(Dir).Create("acme");
        QueueArgs = queueArgs ?? [];
        RedisPort = FreePort();
    }

    public string Dir { get; }
    public string Key { get; }
    public int RedisPort { get; }
    public string RedisUri => $"redis://127.0.0.1:{RedisPort}";

    /// <summary>Queue options every serve and worker gets (they must agree).</summary>
    public string[] QueueArgs { get; }

    public ChildProcess? Redis { get; private set; }

    public static string ModelPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "fixtures", "golden", "pipeline");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException("tests/fixtures/golden/pipeline not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Starts redis-server with AOF (appendfsync everysec) on <see cref="RedisPort"/>; again after a stop, on the same files.</summary>
    public async Task<ChildProcess> StartRedisAsync()
    {
        var redis = Track(new ChildProcess("redis-server", "redis-server",
        [
            "--port", RedisPort.ToString(), "--bind", "127.0.0.1", "--dir", Dir, "--save", "", "--appendonly", "yes",
            "--appendfsync", "everysec", "--daemonize", "no", "--protected-mode", "yes",
        ]));
        await redis.WaitForLineAsync(ReadyToAccept(), TimeSpan.FromSeconds(30));
        Redis = redis;
        return redis;
    }

    /// <summary>Starts <c>genart serve --redis</c>; returns it and its gRPC port once it prints its serving line.</summary>
    public async Task<(ChildProcess Process, int Port)> StartServeAsync(int port = 0, params string[] extra)
    {
        var serve = Track(new ChildProcess("serve", "dotnet",
            [Genart, "serve", "--redis", RedisUri, "--port", port.ToString(), "--metrics-port", "0", "--model", ModelPath, "--data", Dir,
             .. QueueArgs, .. extra]));
        var (m, _) = await serve.WaitForLineAsync(ServingLine(), TimeSpan.FromSeconds(90));
        return (serve, int.Parse(m.Groups[1].Value));
    }

    /// <summary>Starts <c>genart worker</c> with one engine thread and waits for its ready line.</summary>
    public async Task<ChildProcess> StartWorkerAsync(IDictionary<string, string>? environment = null, params string[] extra)
    {
        string id = $"worker-{++_workers}";
        var worker = Track(new ChildProcess(id, "dotnet",
            [Genart, "worker", "--redis", RedisUri, "--device", "cpu", "--threads", "1", "--model-dir", ModelPath, "--consumer-id", id,
             .. QueueArgs, .. extra], environment));
        await worker.WaitForLineAsync(WorkerReady(), TimeSpan.FromSeconds(90));
        return worker;
    }

    public RemoteClient Client(int port)
    {
        var client = new RemoteClient($"127.0.0.1:{port}", Key);
        _clients.Add(client);
        return client;
    }

    public CallOptions Options(TimeSpan? deadline = null, CancellationToken ct = default) => new()
    {
        Headers = new Metadata { { "authorization", "Bearer " + Key } },
        Deadline = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(120)),
        CancellationToken = ct,
    };

    /// <summary>A small request: 64x64 (the tiny model's native side is 128), DDIM, few steps.</summary>
    public static GenerateRequest Request(string prompt, uint steps = 4, ulong seed = 7, uint images = 1, uint side = 64) => new()
    {
        Model = ModelName, Prompt = prompt, Steps = steps, Scheduler = "ddim", Width = side, Height = side, Seed = seed, NumImages = images,
    };

    /// <summary>Every event of a streaming call, and its final status.</summary>
    public static async Task<(List<JobEvent> Events, Status Status)> DrainAsync(AsyncServerStreamingCall<JobEvent> call, List<JobEvent>? events = null)
    {
        events ??= [];
        try
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync()) events.Add(e);
            return (events, call.GetStatus());
        }
        catch (RpcException e)
        {
            return (events, e.Status);
        }
    }

    private ChildProcess Track(ChildProcess process)
    {
        lock (_processes) _processes.Add(process);
        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        List<ChildProcess> all;
        lock (_processes) all = [.. _processes];
        foreach (var p in all) await p.DisposeAsync();
        try
        {
            Directory.Delete(Dir, true);
        }
        catch (IOException)
        {
            // a temp directory left behind is harmless
        }
    }

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyToAccept();

    [GeneratedRegex(@"^serving .* on [0-9.]+:(\d+) ")]
    public static partial Regex ServingLine();

    [GeneratedRegex(@"^worker \S+ ready: ")]
    public static partial Regex WorkerReady();

    [GeneratedRegex(@"Claimed entry (\S+) \(delivery (\d+)\)")]
    public static partial Regex ClaimedEntry();
}
