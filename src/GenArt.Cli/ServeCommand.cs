using System.CommandLine;
using GenArt.Server;
using GenArt.Torch;

namespace GenArt.Cli;

/// <summary><c>genart serve</c>: the gRPC front end and an in-process worker in one process.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "gRPC port (h2c)", DefaultValueFactory = _ => 50051 };
        var metricsPort = new Option<int>("--metrics-port") { Description = "HTTP/1.1 port for /healthz, /readyz, /metrics", DefaultValueFactory = _ => 9090 };
        var models = new Option<string[]>("--model") { Description = "a model folder or checkpoint (repeatable)", AllowMultipleArgumentsPerToken = true };
        var data = new Option<string>("--data") { Description = "data directory (keys.json, adapters/)", DefaultValueFactory = _ => "data" };
        var any = new Option<bool>("--listen-any") { Description = "listen on every interface, not only 127.0.0.1" };
        var window = new Option<int>("--coalesce-ms") { Description = "coalescing window in ms", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--max-batch") { Description = "most samples per batch", DefaultValueFactory = _ => 8 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the engine (default: one per core)" };
        var adapterMax = new Option<long>("--adapter-max-mb") { Description = "largest adapter upload in MiB", DefaultValueFactory = _ => 512 };
        var command = new Command("serve", "serve the gRPC API with an in-process worker");
        foreach (var o in new Option[] { port, metricsPort, models, data, any, window, batch, threads, adapterMax }) command.Options.Add(o);
        command.SetAction((r, ct) => RunAsync(r.GetValue(port), r.GetValue(metricsPort), r.GetValue(models) ?? [], r.GetValue(data)!,
            r.GetValue(any), r.GetValue(window), r.GetValue(batch), r.GetValue(threads), r.GetValue(adapterMax), ct));
        return command;
    }

    private static async Task<int> RunAsync(int port, int metricsPort, string[] models, string data, bool any, int windowMs, int maxBatch, int? threads, long adapterMaxMb,
        CancellationToken ct)
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
        if (adapterMaxMb < 1 || adapterMaxMb > long.MaxValue / (1024 * 1024))
        {
            Console.Error.WriteLine($"error: --adapter-max-mb must be at least 1, got {adapterMaxMb}");
            return 2;
        }
        var template = new HostSettingsTemplate
        {
            Options = new ServerOptions { DataDirectory = data, CoalesceWindow = TimeSpan.FromMilliseconds(windowMs), MaxBatchSamples = maxBatch,
                MaxAdapterBytes = adapterMaxMb * 1024 * 1024 },
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
