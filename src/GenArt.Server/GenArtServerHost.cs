using System.Net;
using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;
using GenArt.Server.Adapters;
using GenArt.Server.Admission;
using GenArt.Server.Auth;
using GenArt.Server.FineTunes;
using GenArt.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GenArt.Server;

/// <summary>What a front end is started with.</summary>
public sealed record HostSettings
{
    public required IJobQueue Queue { get; init; }
    public required ModelCatalog Models { get; init; }
    public ServerOptions Options { get; init; } = new();
    public ServerMetrics Metrics { get; init; } = new();
    /// <summary>
    /// The adapter registry. Null: the embedded one, <c>{Options.DataDirectory}/adapters/registry.json</c>. Front ends
    /// sharing Redis pass <c>new RedisAdapterStore(redisClient)</c>.
    /// </summary>
    public IAdapterStore? Adapters { get; init; }
    /// <summary>Checks uploaded adapters against the models' files; null refuses uploads (FAILED_PRECONDITION).</summary>
    public IAdapterInspector? AdapterInspector { get; init; }
    /// <summary>Listen on every interface instead of loopback only.</summary>
    public bool ListenAny { get; init; }
    /// <summary>gRPC (h2c) port; 0 picks a free one.</summary>
    public int GrpcPort { get; init; } = 50051;
    /// <summary>HTTP/1.1 port for /healthz, /readyz and /metrics; 0 picks a free one, null serves none.</summary>
    public int? MetricsPort { get; init; } = 9090;
    /// <summary>Whether workers can take jobs (for /readyz and gRPC health); ready when null.</summary>
    public Func<bool>? IsReady { get; init; }
    /// <summary>Adjusts logging (tests silence it).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

/// <summary>A running front end: gRPC on one port, health and metrics over HTTP/1.1 on another.</summary>
public sealed class GenArtServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GenArtServerHost(WebApplication app, int grpcPort, int? metricsPort)
    {
        _app = app;
        GrpcPort = grpcPort;
        MetricsPort = metricsPort;
    }

    public int GrpcPort { get; }
    public int? MetricsPort { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<GenArtServerHost> StartAsync(HostSettings settings, CancellationToken cancellationToken = default)
    {
        var options = settings.Options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        settings.ConfigureLogging?.Invoke(builder.Logging);
        var address = settings.ListenAny ? IPAddress.Any : IPAddress.Loopback;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, settings.GrpcPort, l => l.Protocols = HttpProtocols.Http2); // h2c with prior knowledge
            if (settings.MetricsPort is int mp) k.Listen(address, mp, l => l.Protocols = HttpProtocols.Http1);
        });
        var s = builder.Services;
        s.AddGenArtRpc();
        s.AddSingleton(settings.Queue);
        s.AddSingleton(settings.Models);
        s.AddSingleton(options);
        s.AddSingleton(settings.Metrics);
        s.AddSingleton(new ApiKeyStore(options.DataDirectory));
        s.AddSingleton<Authenticator>();
        s.AddSingleton<RequestValidator>();
        var adapterStore = settings.Adapters ?? new InProcessAdapterStore(options.DataDirectory);
        var adapterFiles = new AdapterFiles(options.DataDirectory);
        adapterFiles.SweepIncoming(TimeSpan.FromHours(1), DateTime.UtcNow);
        s.AddSingleton(adapterStore);
        s.AddSingleton(adapterFiles);
        s.AddSingleton<AdapterAuthorizer>();
        s.AddSingleton(sp => new AdaptersService(adapterStore, adapterFiles, settings.Models, sp.GetRequiredService<Authenticator>(),
            settings.Metrics, options, sp.GetRequiredService<ILogger<AdaptersService>>(), settings.AdapterInspector));
        s.AddSingleton(new TrainingSets(options.DataDirectory));
        s.AddSingleton(sp => ActivatorUtilities.CreateInstance<FineTunesService>(sp));
        s.AddSingleton(sp => new BatchCoalescer(settings.Queue, options, settings.Metrics));
        s.AddSingleton(sp => ActivatorUtilities.CreateInstance<GenerationService>(sp));
        s.AddSingleton<ModelsService>();

        var app = builder.Build();
        var ready = settings.IsReady ?? (() => true);
        app.Use((context, next) => HttpProtocol.IsHttp2(context.Request.Protocol) ? next(context) : OpsEndpoints.Handle(context, settings, ready));
        app.UseGenArtRpc();
        app.MapGrpcService(app.Services.GetRequiredService<GenerationService>());
        app.MapGrpcService(app.Services.GetRequiredService<ModelsService>());
        app.MapGrpcService(app.Services.GetRequiredService<AdaptersService>());
        app.MapGrpcService(app.Services.GetRequiredService<FineTunesService>());
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).ToList();
        int grpcPort = settings.GrpcPort != 0 ? settings.GrpcPort : ports[0];
        int? metricsPort = settings.MetricsPort is null ? null : settings.MetricsPort != 0 ? settings.MetricsPort : ports[1];
        return new GenArtServerHost(app, grpcPort, metricsPort);
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C) or <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting calls and ends open ones.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>/healthz (the process is up), /readyz (workers can take jobs) and /metrics (Prometheus text).</summary>
internal static class OpsEndpoints
{
    public static async Task Handle(HttpContext context, HostSettings settings, Func<bool> ready)
    {
        var response = context.Response;
        response.ContentType = "text/plain; charset=utf-8";
        switch (context.Request.Path.Value)
        {
            case "/healthz":
                await response.WriteAsync("ok\n").ConfigureAwait(false);
                break;
            case "/readyz":
                bool ok = ready();
                response.StatusCode = ok ? 200 : 503;
                await response.WriteAsync(ok ? "ready\n" : "not ready: models are loading\n").ConfigureAwait(false);
                break;
            case "/metrics":
                response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await response.WriteAsync(await settings.Metrics.RenderAsync(settings.Queue, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
                break;
            default:
                response.StatusCode = 404;
                await response.WriteAsync("not found; try /healthz, /readyz or /metrics\n").ConfigureAwait(false);
                break;
        }
    }
}
