using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Jobs;
using GenArt.Rpc;
using JobEvent = GenArt.Api.V1.JobEvent;
using GenArt.Rpc.Client;
using GenArt.Server;
using GenArt.Server.Auth;
using Microsoft.Extensions.Logging;

namespace GenArt.Server.Tests;

/// <summary>A real server with an in-process worker on 127.0.0.1 and free ports, over the tiny reference model.</summary>
public sealed class TestServer : IAsyncDisposable
{
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

    public const string ModelName = "pipeline";

    private readonly bool _ownsDataDir;

    private TestServer(AllInOne server, string dataDir, string key, string otherKey, bool ownsDataDir)
    {
        _ownsDataDir = ownsDataDir;
        Server = server;
        DataDir = dataDir;
        Key = key;
        OtherTenantKey = otherKey;
        Client = new RemoteClient($"127.0.0.1:{server.Host.GrpcPort}", key);
    }

    public AllInOne Server { get; }
    public string DataDir { get; }
    public string Key { get; }
    public string OtherTenantKey { get; }
    public RemoteClient Client { get; }

    /// <param name="adapters">The adapter registry; null: the embedded one in the data directory.</param>
    /// <param name="dataDirectory">An existing data directory to serve from (kept on dispose); null: a new temporary one.</param>
    public static async Task<TestServer> StartAsync(ServerOptions? options = null, JobQueueOptions? queue = null, IAdapterStore? adapters = null,
        string? dataDirectory = null)
    {
        string data = dataDirectory ?? Path.Combine(Path.GetTempPath(), "genart-server-tests-" + Guid.NewGuid().ToString("N"));
        var store = new ApiKeyStore(data);
        string key = store.Create("acme"), other = store.Create("globex");
        var server = await AllInOne.StartAsync([ModelPath], new HostSettingsTemplate
        {
            Options = (options ?? new ServerOptions()) with { DataDirectory = data },
            GrpcPort = 0, MetricsPort = 0, ConfigureLogging = l => l.ClearProviders(), Adapters = adapters,
        }, queue);
        return new TestServer(server, data, key, other, ownsDataDir: dataDirectory is null);
    }

    /// <summary>A small request: 128x128, DDIM.</summary>
    public static GenerateRequest Request(string prompt = "a red circle", uint steps = 10, ulong? seed = 7)
    {
        var r = new GenerateRequest { Model = ModelName, Prompt = prompt, Steps = steps, Scheduler = "ddim", Width = 128, Height = 128 };
        if (seed is ulong s) r.Seed = s;
        return r;
    }

    public CallOptions Options(string? key = null, DateTime? deadline = null, CancellationToken ct = default) => new()
    {
        Headers = new Metadata { { "authorization", "Bearer " + (key ?? Key) } },
        Deadline = deadline ?? DateTime.UtcNow.AddSeconds(60),
        CancellationToken = ct,
    };

    /// <summary>Every event of a Generate call, and its final status.</summary>
    public async Task<(List<JobEvent> Events, Status Status)> GenerateAllAsync(GenerateRequest request, CallOptions? options = null)
    {
        using var call = Client.Channel.ServerStreaming(RemoteClient.Generate, request, options ?? Options());
        return await DrainAsync(call);
    }

    public static async Task<(List<JobEvent> Events, Status Status)> DrainAsync(AsyncServerStreamingCall<JobEvent> call)
    {
        var events = new List<JobEvent>();
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

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        try
        {
            if (_ownsDataDir) Directory.Delete(DataDir, true);
        }
        catch (IOException)
        {
            // a temp directory left behind is harmless
        }
    }
}
