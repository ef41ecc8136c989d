using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Schedulers;
using GenArt.Jobs;
using GenArt.Server;
using GenArt.Worker;
using Microsoft.Extensions.Logging;

namespace GenArt.Cli;

/// <summary>The front end and one in-process worker over the in-process queue: what <c>genart serve</c> runs.</summary>
public sealed class AllInOne : IAsyncDisposable
{
    private AllInOne(InProcessJobQueue queue, ModelCache models, GenerationWorker worker, GenArtServerHost host, ServerMetrics metrics,
        IAdapterStore adapters, LoraCache loras)
    {
        Adapters = adapters;
        Loras = loras;
        Queue = queue;
        Models = models;
        Worker = worker;
        Host = host;
        Metrics = metrics;
    }

    public InProcessJobQueue Queue { get; }
    public ModelCache Models { get; }
    public GenerationWorker Worker { get; }
    public GenArtServerHost Host { get; }
    public ServerMetrics Metrics { get; }
    /// <summary>The adapter registry the front end and the worker share.</summary>
    public IAdapterStore Adapters { get; }
    /// <summary>The worker's loaded adapters.</summary>
    public LoraCache Loras { get; }

    /// <summary>Loads the models (on the worker's thread), then starts serving.</summary>
    public static async Task<AllInOne> StartAsync(IReadOnlyList<string> modelPaths, HostSettingsTemplate template, JobQueueOptions? queueOptions = null,
        WorkerOptions? workerOptions = null, ILoggerFactory? loggers = null)
    {
        var metrics = new ServerMetrics();
        var queue = new InProcessJobQueue(queueOptions);
        var models = new ModelCache(modelPaths.ToDictionary(ModelCache.NameOf, p => p));
        // One registry for both: the front end registers, the worker resolves names per tenant to files.
        var adapters = template.Adapters ?? new InProcessAdapterStore(template.Options.DataDirectory);
        var loras = new LoraCache(template.AdapterCacheBytes);
        var worker = new GenerationWorker(queue, models, (workerOptions ?? new WorkerOptions()) with { Observer = new MetricsObserver(metrics) },
            loggers?.CreateLogger<GenerationWorker>(), adapters: new WorkerAdapters(adapters, template.Options.DataDirectory, loras));
        worker.Start();
        await worker.Ready.ConfigureAwait(false);
        var catalog = new ModelCatalog(models.Names.Select(name =>
        {
            var m = models.Get(name);
            return new ModelDescriptor(name, "sd15", m.NativeSide, m.MaxSide, SchedulerFactory.Names, m.Defaults.Scheduler, m.Defaults.Steps,
                m.Defaults.GuidanceScale, () => models.IsLoaded(name));
        }));
        var host = await GenArtServerHost.StartAsync(new HostSettings
        {
            Queue = queue, Models = catalog, Options = template.Options, Metrics = metrics, ListenAny = template.ListenAny,
            GrpcPort = template.GrpcPort, MetricsPort = template.MetricsPort, IsReady = () => worker.Ready.IsCompletedSuccessfully,
            ConfigureLogging = template.ConfigureLogging, Adapters = adapters,
            AdapterInspector = new LoraAdapterInspector(modelPaths.ToDictionary(ModelCache.NameOf, p => p)),
        }).ConfigureAwait(false);
        return new AllInOne(queue, models, worker, host, metrics, adapters, loras);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync().ConfigureAwait(false);
        await Worker.DisposeAsync().ConfigureAwait(false);
        await Queue.DisposeAsync().ConfigureAwait(false);
        Loras.Dispose();
        Models.Dispose();
    }
}

/// <summary>The host settings that do not depend on the queue and models.</summary>
public sealed record HostSettingsTemplate
{
    public ServerOptions Options { get; init; } = new();
    public bool ListenAny { get; init; }
    public int GrpcPort { get; init; } = 50051;
    public int? MetricsPort { get; init; } = 9090;
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
    /// <summary>The adapter registry; null: the embedded one in the data directory (see <see cref="HostSettings.Adapters"/>).</summary>
    public IAdapterStore? Adapters { get; init; }
    /// <summary>Most bytes of loaded adapters the worker keeps (least recently used ones go first).</summary>
    public long AdapterCacheBytes { get; init; } = 1L << 30;
}

/// <summary>Feeds the worker's timings into the server's metrics.</summary>
public sealed class MetricsObserver(ServerMetrics metrics) : IWorkerObserver
{
    public void BatchStarted(int samples) => metrics.WorkerBatchStarted(samples);
    public void StepCompleted(TimeSpan elapsed) => metrics.StepCompleted(elapsed);
    public void ImagePublished() => metrics.ImagePublished();
}
