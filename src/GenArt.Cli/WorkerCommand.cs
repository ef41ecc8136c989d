using System.CommandLine;
using System.Runtime.InteropServices;
using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Jobs;
using GenArt.Torch;
using GenArt.Worker;
using Microsoft.Extensions.Logging;

namespace GenArt.Cli;

/// <summary>
/// <c>genart worker</c>: one worker on one device, draining the Redis queue that any number of
/// <c>genart serve --redis</c> front ends fill: generation batches, LoRA fine-tunes, or both (<c>--kinds</c>).
/// </summary>
/// <remarks>
/// SIGTERM and Ctrl+C stop claiming; the batch in progress finishes within the grace period or is released back to
/// the queue (its delivery does not count), and the process exits 0. A fine-tune in progress stops at its next step,
/// checkpoints into the shared data directory and is released at once, for another worker to resume. A container orchestrator should allow a
/// termination grace period a little longer than <c>--grace-period</c>.
/// </remarks>
internal static class WorkerCommand
{
    /// <summary>Environment variable of the crash fault injection (<see cref="WorkerOptions.CrashOnPrompt"/>): a testing aid.</summary>
    public const string CrashOnPromptVariable = "GENART_FAULT_CRASH_ON_PROMPT";

    public static Command Create()
    {
        var queue = new QueueOptionsCli();
        queue.Redis.Required = true;
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the engine (default: one per core)" };
        var models = new Option<string[]>("--model-dir", "--model") { Description = "a model folder or checkpoint (repeatable); the name is the folder or file name", AllowMultipleArgumentsPerToken = true };
        var consumer = new Option<string?>("--consumer-id") { Description = "this worker's name in the queue (default: host-pid); unique per process" };
        var grace = new Option<string>("--grace-period") { Description = "on SIGTERM, how long the batch in progress may run before it is released", DefaultValueFactory = _ => "30s" };
        var data = new Option<string>("--data") { Description = "data directory shared with the front ends and the other workers (adapters, fine-tune training sets and checkpoints)", DefaultValueFactory = _ => "data" };
        var adapterCache = new Option<long>("--adapter-cache-mb") { Description = "memory for loaded adapters, least recently used evicted first", DefaultValueFactory = _ => 1024 };
        var kinds = new Option<string>("--kinds") { Description = "work to claim: generate, finetune, or both (comma-separated)", DefaultValueFactory = _ => "generate,finetune" };
        var command = new Command("worker", "run a worker (generation and fine-tunes) against a Redis queue");
        foreach (var o in queue.All.Concat([device, threads, models, consumer, grace, data, adapterCache, kinds])) command.Options.Add(o);
        command.SetAction(async (r, _) =>
        {
            try
            {
                var settings = new Settings(QueueOptionsCli.ParseRedis(r.GetValue(queue.Redis)!), queue.QueueOptions(r), r.GetValue(queue.KeyPrefix)!,
                    r.GetValue(device)!, r.GetValue(threads), r.GetValue(models) ?? [], r.GetValue(consumer),
                    Duration.Parse(r.GetValue(grace)!, "--grace-period"), r.GetValue(data)!, r.GetValue(adapterCache), ParseKinds(r.GetValue(kinds)!));
                return await RunAsync(settings).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 2;
            }
        });
        return command;
    }

    private sealed record Settings(GenArt.Redis.RedisOptions Redis, Jobs.JobQueueOptions Queue, string KeyPrefix, string Device, int? Threads,
        string[] Models, string? ConsumerId, TimeSpan Grace, string DataDirectory, long AdapterCacheMb, IReadOnlyList<EntryKind> Kinds);

    /// <summary>Reads <c>--kinds</c>: a comma-separated list of <c>generate</c> and <c>finetune</c>.</summary>
    internal static IReadOnlyList<EntryKind> ParseKinds(string text)
    {
        var kinds = new List<EntryKind>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var kind = part.ToLowerInvariant() switch
            {
                "generate" => EntryKind.Generate,
                "finetune" or "fine-tune" => EntryKind.FineTune,
                _ => throw new ArgumentException($"--kinds: '{part}' is not a kind of work; use generate, finetune, or both separated by a comma"),
            };
            if (!kinds.Contains(kind)) kinds.Add(kind);
        }
        if (kinds.Count == 0) throw new ArgumentException("--kinds must name at least one of generate, finetune");
        return kinds;
    }

    private static async Task<int> RunAsync(Settings s)
    {
        if (s.Threads is < 1) throw new ArgumentException("--threads must be at least 1");
        if (s.AdapterCacheMb < 1 || s.AdapterCacheMb > long.MaxValue / (1024 * 1024)) throw new ArgumentException($"--adapter-cache-mb must be at least 1, got {s.AdapterCacheMb}");
        if (string.IsNullOrWhiteSpace(s.DataDirectory)) throw new ArgumentException("--data must not be empty");
        torch.set_num_threads(s.Threads ?? Environment.ProcessorCount);
        Device device;
        try
        {
            device = Device.Parse(s.Device);
        }
        catch (Exception e) when (e is ArgumentException or TorchException)
        {
            throw new ArgumentException("--device: " + e.Message, e);
        }
        string[] paths = s.Models.Length == 0 ? [Defaults.ModelPath] : s.Models;
        foreach (var m in paths)
            if (!Directory.Exists(m) && !File.Exists(m)) throw new ArgumentException($"--model-dir: '{m}' does not exist");

        // The worker owns SIGTERM and SIGINT (Program turns the command line's own handling off for this command):
        // the first signal starts the graceful stop, and the process is not ended under it.
        var stop = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult("SIGTERM"); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult("SIGINT"); });
        using var stopping = new CancellationTokenSource();
        _ = stop.Task.ContinueWith(_ => stopping.Cancel(), TaskScheduler.Default);

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        }));
        var log = loggers.CreateLogger("GenArt.Worker");
        var options = new WorkerOptions
        {
            ClaimWait = TimeSpan.FromSeconds(5),
            // docs/queue.md: heartbeat at a third of the visibility timeout.
            HeartbeatInterval = s.Queue.VisibilityTimeout / 3,
            Kinds = s.Kinds,
            CrashOnPrompt = Environment.GetEnvironmentVariable(CrashOnPromptVariable),
        };
        if (s.ConsumerId is { } id)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("--consumer-id must not be empty");
            options = options with { ConsumerId = id };
        }
        if (options.CrashOnPrompt is { Length: > 0 })
            log.LogWarning("Fault injection is on: a sample with the prompt '{Prompt}' crashes this process ({Variable})", options.CrashOnPrompt, CrashOnPromptVariable);

        Jobs.Redis.RedisJobQueue queue;
        try
        {
            queue = await QueueOptionsCli.ConnectAsync(s.Redis, s.Queue, s.KeyPrefix, m => log.LogWarning("{Message}", m), stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return 0; // stopped before Redis ever answered: nothing was claimed
        }
        await using (queue.ConfigureAwait(false))
        {
            using var models = new ModelCache(paths.ToDictionary(ModelCache.NameOf, p => p), p => StableDiffusionModel.Load(p, device));
            using var loras = new LoraCache(s.AdapterCacheMb * 1024 * 1024);
            var adapters = new WorkerAdapters(new RedisAdapterStore(queue.Client, s.KeyPrefix), s.DataDirectory, loras);
            var worker = new GenerationWorker(queue, models, options, loggers.CreateLogger<GenerationWorker>(), adapters: adapters);
            await using (worker.ConfigureAwait(false))
            {
                worker.Start();
                try
                {
                    await worker.Ready.WaitAsync(stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await worker.StopAsync(s.Grace).ConfigureAwait(false);
                    return 0;
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"error: a model failed to load: {e.Message}");
                    return 1;
                }
                // One line on stdout that scripts and tests wait for.
                Console.WriteLine($"worker {options.ConsumerId} ready: {string.Join(", ", models.Names)} on {device}, queue {s.Redis.EndPoint}, "
                    + $"claims {string.Join(", ", options.Kinds)}");

                var first = await Task.WhenAny(stop.Task, worker.Stopped).ConfigureAwait(false);
                if (first != stop.Task)
                {
                    Console.Error.WriteLine("error: the worker loop ended unexpectedly");
                    return 1;
                }
                log.LogInformation("{Signal}: claiming no more work; the batch in progress has {Grace} to finish", await stop.Task.ConfigureAwait(false), s.Grace);
                bool finished = await worker.StopAsync(s.Grace).ConfigureAwait(false);
                log.LogInformation(finished ? "Stopped: the work in progress finished within the grace period" : "Stopped: the batch in progress was released to the queue");
            }
        }
        return 0;
    }
}
