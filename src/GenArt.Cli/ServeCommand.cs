using System.CommandLine;
using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.Blocks;
using GenArt.Jobs;
using GenArt.Jobs.Redis;
using GenArt.Server;
using GenArt.Torch;
using GenArt.Worker;

namespace GenArt.Cli;

/// <summary>
/// <c>genart serve</c>: the gRPC front end and an in-process worker in one process; with <c>--redis</c>, the front end
/// alone over the Redis queue, for any number of front ends and <c>genart worker</c> processes.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "gRPC port (h2c)", DefaultValueFactory = _ => 50051 };
        var metricsPort = new Option<int>("--metrics-port") { Description = "HTTP/1.1 port for /healthz, /readyz, /metrics", DefaultValueFactory = _ => 9090 };
        var models = new Option<string[]>("--model") { Description = "a model folder or checkpoint (repeatable)", AllowMultipleArgumentsPerToken = true };
        var data = new Option<string>("--data") { Description = "data directory (keys.json, adapters/, finetunes/)", DefaultValueFactory = _ => "data" };
        var any = new Option<bool>("--listen-any") { Description = "listen on every interface, not only 127.0.0.1" };
        var window = new Option<int>("--coalesce-ms") { Description = "coalescing window in ms", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--max-batch") { Description = "most samples per batch", DefaultValueFactory = _ => 8 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the engine (default: one per core)" };
        var adapterMax = new Option<long>("--adapter-max-mb") { Description = "largest adapter upload in MiB", DefaultValueFactory = _ => 512 };
        var fineTuneMax = new Option<long>("--finetune-max-mb") { Description = "largest fine-tune submission (all images) in MiB", DefaultValueFactory = _ => 1024 };
        var queue = new QueueOptionsCli();
        var command = new Command("serve", "serve the gRPC API with an in-process worker, or with --redis the front end alone");
        foreach (var o in new Option[] { port, metricsPort, models, data, any, window, batch, threads, adapterMax, fineTuneMax }.Concat(queue.All)) command.Options.Add(o);
        command.SetAction((r, ct) =>
        {
            long adapterMaxMb = r.GetValue(adapterMax);
            if (adapterMaxMb < 1 || adapterMaxMb > long.MaxValue / (1024 * 1024))
            {
                Console.Error.WriteLine($"error: --adapter-max-mb must be at least 1, got {adapterMaxMb}");
                return Task.FromResult(2);
            }
            long fineTuneMaxMb = r.GetValue(fineTuneMax);
            if (fineTuneMaxMb < 1 || fineTuneMaxMb > long.MaxValue / (1024 * 1024))
            {
                Console.Error.WriteLine($"error: --finetune-max-mb must be at least 1, got {fineTuneMaxMb}");
                return Task.FromResult(2);
            }
            if (r.GetValue(queue.Redis) is not { } redis)
                return RunAsync(r.GetValue(port), r.GetValue(metricsPort), r.GetValue(models) ?? [], r.GetValue(data)!,
                    r.GetValue(any), r.GetValue(window), r.GetValue(batch), r.GetValue(threads), adapterMaxMb, fineTuneMaxMb, ct);
            try
            {
                var template = new HostSettingsTemplate
                {
                    Options = new ServerOptions { DataDirectory = r.GetValue(data)!, CoalesceWindow = TimeSpan.FromMilliseconds(r.GetValue(window)),
                        MaxBatchSamples = r.GetValue(batch), MaxAdapterBytes = adapterMaxMb * 1024 * 1024,
                        MaxFineTuneBytes = fineTuneMaxMb * 1024 * 1024 },
                    ListenAny = r.GetValue(any), GrpcPort = r.GetValue(port), MetricsPort = r.GetValue(metricsPort),
                };
                return RunFrontEndAsync(QueueOptionsCli.ParseRedis(redis), queue.QueueOptions(r), r.GetValue(queue.KeyPrefix)!, r.GetValue(models) ?? [], template, ct);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return Task.FromResult(2);
            }
        });
        return command;
    }

    private static async Task<int> RunFrontEndAsync(GenArt.Redis.RedisOptions redis, JobQueueOptions queueOptions, string keyPrefix, string[] models,
        HostSettingsTemplate template, CancellationToken ct)
    {
        if (models.Length == 0) models = [Defaults.ModelPath];
        var descriptors = new List<ModelDescriptor>();
        foreach (var m in models)
        {
            try
            {
                descriptors.Add(FrontEndModels.Describe(m));
            }
            catch (Exception e) when (e is CheckpointException or IOException or ModelConfigException)
            {
                Console.Error.WriteLine($"error: model '{m}': {e.Message}");
                return 2;
            }
        }
        RedisJobQueue queue;
        try
        {
            queue = await QueueOptionsCli.ConnectAsync(redis, queueOptions, keyPrefix, m => Console.Error.WriteLine(m), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        await using (queue.ConfigureAwait(false))
        {
            using var probe = new QueueProbe(queue);
            await using var host = await GenArtServerHost.StartAsync(new HostSettings
            {
                Queue = queue, Models = new ModelCatalog(descriptors), Options = template.Options, ListenAny = template.ListenAny,
                GrpcPort = template.GrpcPort, MetricsPort = template.MetricsPort, IsReady = () => probe.Reachable,
                Adapters = new RedisAdapterStore(queue.Client, keyPrefix),
                AdapterInspector = new LoraAdapterInspector(models.Where(Directory.Exists).ToDictionary(ModelCache.NameOf, p => p)),
            }, ct).ConfigureAwait(false);
            Console.WriteLine($"serving {string.Join(", ", descriptors.Select(d => d.Name))} on {(template.ListenAny ? "0.0.0.0" : "127.0.0.1")}:{host.GrpcPort} " +
                $"(metrics :{host.MetricsPort}) over redis {redis.EndPoint}");
            await host.WaitForShutdownAsync(ct).ConfigureAwait(false);
        }
        return 0;
    }

    private static async Task<int> RunAsync(int port, int metricsPort, string[] models, string data, bool any, int windowMs, int maxBatch, int? threads, long adapterMaxMb,
        long fineTuneMaxMb, CancellationToken ct)
    {
        // libtorch defaults to one thread per physical core, which is one on a 2-vCPU machine: use every core.
        torch.set_num_threads(threads ?? Environment.ProcessorCount);
        if (models.Length == 0) models = [Defaults.ModelPath];
        foreach (var m in models)
        {
            if (!Directory.Exists(m) && !File.Exists(m))
            {
                Console.Error.WriteLine($"error: model '{m}' does not exist");
                return 2;
            }
        }
        var template = new HostSettingsTemplate
        {
            Options = new ServerOptions { DataDirectory = data, CoalesceWindow = TimeSpan.FromMilliseconds(windowMs), MaxBatchSamples = maxBatch,
                MaxAdapterBytes = adapterMaxMb * 1024 * 1024, MaxFineTuneBytes = fineTuneMaxMb * 1024 * 1024 },
            ListenAny = any, GrpcPort = port, MetricsPort = metricsPort,
        };
        await using var server = await AllInOne.StartAsync(models, template).ConfigureAwait(false);
        // One line on stdout that scripts (and tests) wait for.
        Console.WriteLine($"serving {string.Join(", ", server.Models.Names)} on {(any ? "0.0.0.0" : "127.0.0.1")}:{server.Host.GrpcPort} (metrics :{server.Host.MetricsPort})");
        // The host's own console lifetime takes SIGTERM and Ctrl+C; either that or the command's token ends the wait.
        await server.Host.WaitForShutdownAsync(ct).ConfigureAwait(false);
        return 0;
    }
}
