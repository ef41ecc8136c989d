using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GenArt.Jobs;
using GenArt.Jobs.Redis;
using GenArt.Redis;
using GenArt.Redis.Benchmarks;

// Queue overhead per job and throughput with a no-op pipeline, InProcessJobQueue and RedisJobQueue side by side.
// Usage: dotnet run -c Release --project benchmarks/queue -- [--out path.md] [--rounds n] [--jobs n] [--aof]
//        [--connect redis://host:port]   (use a running server instead of starting one)
// QUEUE_BENCH_STATS=1 prints the server's INFO commandstats at the end.
string? output = null, connect = null;
var rounds = 3_000;
var throughputJobs = 40_000;
var appendOnly = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out": output = args[++i]; break;
        case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--jobs": throughputJobs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--aof": appendOnly = true; break;
        case "--connect": connect = args[++i]; break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Expected --out <file.md>, --rounds <n>, --jobs <n>, --aof or --connect <redis://...>.");
            return 2;
    }
}

const int Producers = 4, Consumers = 4;
var options = new JobQueueOptions { MaxQueuedJobs = 1_000_000, VisibilityTimeout = TimeSpan.FromSeconds(60) };
await using var server = connect is null ? await LocalRedisServer.StartAsync(appendOnly) : null;
var redis = connect is null ? new RedisOptions { Host = "127.0.0.1", Port = server!.Port } : RedisOptions.Parse(connect);

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

Line("# Job queue benchmark: in-process and Redis side by side");
Line("");
Line($"- date (UTC): {DateTime.UtcNow:yyyy-MM-dd HH:mm}");
Line($"- machine: {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}");
Line($"- runtime: {RuntimeInformation.FrameworkDescription}; redis-server 7 on 127.0.0.1 (loopback, {(appendOnly ? "AOF appendfsync everysec" : "no persistence")}), started by the benchmark");
Line($"- load average at start (1/5/15 min): {LoadAverage()} (the machine is shared; figures move with it)");
Line($"- command: `dotnet run -c Release --project benchmarks/queue{(args.Length > 0 ? " -- " + string.Join(' ', args) : "")}`");
Line("");

// Both queues are measured in the same process, interleaved, so they see the same machine load.
var inProcess = new InProcessJobQueue(options);
var onRedis = await RedisJobQueue.ConnectAsync(redis, options, keyPrefix: "bench:");
await using (inProcess)
await using (onRedis)
{
    var queues = new (string Name, IJobQueue Queue)[] { ("in-process", inProcess), ("Redis", onRedis) };
    foreach (var (_, queue) in queues)
        await OverheadAsync(queue, 300);

    Line("## (a) Overhead per job, one job at a time");
    Line("");
    Line("One round = enqueue an entry of one job, start a watcher (as the front end does), claim, publish progress, publish");
    Line("the image and completed together (one call, as the worker does), ack, and wait until the watcher has read all four");
    Line("events and ended. Rounds run back to back,");
    Line("each awaiting the last; target: median <= 1 ms for Redis.");
    Line("");
    Line("| queue | rounds | median µs | p90 µs | p99 µs |");
    Line("|---|---:|---:|---:|---:|");
    var medians = new Dictionary<string, double>();
    foreach (var (name, queue) in queues)
    {
        var samples = await OverheadAsync(queue, rounds);
        Array.Sort(samples);
        medians[name] = Percentile(samples, 0.5);
        Line($"| {name} | {rounds:N0} | {Percentile(samples, 0.5):N0} | {Percentile(samples, 0.9):N0} | {Percentile(samples, 0.99):N0} |");
    }
    var redisSteps = StepNames.Select(_ => new double[rounds]).ToArray();
    await OverheadAsync(onRedis, rounds, redisSteps);
    var floor = await PingRoundsAsync(onRedis.Client, rounds);
    Array.Sort(floor);
    Line($"| reference: 6 sequential PINGs on the queue's connection | {rounds:N0} | {Percentile(floor, 0.5):N0} | {Percentile(floor, 0.9):N0} | {Percentile(floor, 0.99):N0} |");
    Line("");
    Line($"Redis / in-process median: {medians["Redis"] / medians["in-process"]:0.0}x. A Redis round makes 6 round trips in");
    Line("sequence (enqueue, the watcher's first read, claim, 2 publishes, ack; the watcher's live events arrive meanwhile),");
    Line($"so the PING row is its floor on this machine at this load: Redis round / PING floor = {medians["Redis"] / Percentile(floor, 0.5):0.0}x.");
    Line("");
    Line($"Where a Redis round's time goes (a further {rounds:N0} rounds, each step timed from the end of the one before;");
    Line("the medians of the steps need not add up to the round's median):");
    Line("");
    Line("| step | median µs | p90 µs |");
    Line("|---|---:|---:|");
    for (var s = 0; s < StepNames.Length; s++)
    {
        Array.Sort(redisSteps[s]);
        Line($"| {StepNames[s]} | {Percentile(redisSteps[s], 0.5):N0} | {Percentile(redisSteps[s], 0.9):N0} |");
    }
    Line("");

    Line("## (b) Throughput with a no-op pipeline");
    Line("");
    Line($"{Producers} producers enqueue entries of 1 to 8 jobs (cycling, 4.5 on average, as a coalescing front end makes");
    Line($"them); {Consumers} consumers claim, publish one JobCompleted per job (a batch's events together) and ack. Each row is one run of");
    Line($"{throughputJobs:N0} jobs, timed from the first enqueue until the last job was acknowledged; target: >= 5,000");
    Line("jobs/s for Redis. The two queues alternate, twice each.");
    Line("");
    Line("| queue | run | jobs | seconds | jobs/s | redis-server CPU µs per job |");
    Line("|---|---:|---:|---:|---:|---:|");
    var best = new Dictionary<string, double>();
    for (var run = 1; run <= 2; run++)
    {
        foreach (var (name, queue) in queues)
        {
            var cpuBefore = await RedisCpuSecondsAsync(onRedis.Client);
            var (seconds, rate) = await ThroughputAsync(queue, throughputJobs);
            var redisCpu = await RedisCpuSecondsAsync(onRedis.Client) - cpuBefore;
            best[name] = Math.Max(best.GetValueOrDefault(name), rate);
            Line($"| {name} | {run} | {throughputJobs:N0} | {seconds:0.00} | {rate:N0} | {redisCpu * 1e6 / throughputJobs:N0} |");
        }
    }
    Line("");
    Line($"Best run, Redis / in-process: {best["Redis"] / best["in-process"]:0.00}x.");
}

if (Environment.GetEnvironmentVariable("QUEUE_BENCH_STATS") == "1")
{
    await using var stats = await RedisClient.ConnectAsync(redis);
    Console.Error.WriteLine((await stats.ExecuteAsync("INFO", "commandstats")).ToString());
}

if (output is not null)
    await File.WriteAllTextAsync(output, report.ToString());
return 0;

static async Task<double[]> OverheadAsync(IJobQueue queue, int count, double[][]? steps = null)
{
    var samples = new double[count];
    var timer = new Stopwatch();
    for (var i = 0; i < count; i++)
    {
        timer.Restart();
        var marks = new double[StepNames.Length + 1];
        var m = 0;
        void Mark() => marks[++m] = timer.Elapsed.TotalMicroseconds;
        var entry = Entry(1, JobPriority.Interactive);
        var id = entry.Jobs[0].Id;
        await queue.EnqueueAsync(entry);
        Mark();
        var watch = WatchToEndAsync(queue, id);
        var claim = await queue.ClaimAsync(EntryKind.Generate, "bench-worker", TimeSpan.Zero)
            ?? throw new InvalidOperationException("the entry just enqueued was not claimable");
        Mark();
        await queue.PublishAsync(id, new JobProgress(1, 1, null));
        Mark();
        // A worker sends a job's last image and its completion in one call.
        await queue.PublishAllAsync([(id, new JobImage(0, Png, 42, "{}")), (id, new JobCompleted())]);
        Mark();
        if (!await queue.AckAsync(claim))
            throw new InvalidOperationException("the claim was lost");
        Mark();
        var seen = await watch;
        if (seen != 4)
            throw new InvalidOperationException($"the watcher saw {seen} events, not 4");
        Mark();
        samples[i] = timer.Elapsed.TotalMicroseconds;
        if (steps is not null)
            for (var s = 0; s < StepNames.Length; s++)
                steps[s][i] = marks[s + 1] - marks[s];
    }
    return samples;
}

static async Task<double[]> PingRoundsAsync(RedisClient client, int count)
{
    var samples = new double[count];
    var timer = new Stopwatch();
    for (var i = 0; i < count; i++)
    {
        timer.Restart();
        for (var p = 0; p < 6; p++)
            await client.PingAsync();
        samples[i] = timer.Elapsed.TotalMicroseconds;
    }
    return samples;
}

static async Task<int> WatchToEndAsync(IJobQueue queue, JobId id)
{
    var seen = 0;
    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    await foreach (var _ in queue.WatchAsync(id, 0, cts.Token))
        seen++;
    return seen;
}

static async Task<(double Seconds, double Rate)> ThroughputAsync(IJobQueue queue, int total)
{
    var completed = 0;
    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
    var timer = Stopwatch.StartNew();

    async Task Produce(int producer)
    {
        var sent = 0;
        var share = total / Producers + (producer < total % Producers ? 1 : 0);
        for (var n = producer; sent < share; n++)
        {
            var size = Math.Min(1 + n % 8, share - sent);
            await queue.EnqueueAsync(Entry(size, n % 2 == 0 ? JobPriority.Interactive : JobPriority.Batch), stop.Token);
            sent += size;
        }
    }

    async Task Consume(int consumer)
    {
        while (!done.Task.IsCompleted)
        {
            Claim? claim;
            try
            {
                claim = await queue.ClaimAsync(EntryKind.Generate, $"bench-{consumer}", TimeSpan.FromSeconds(1), stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (claim is null)
                continue;
            // A batch's images are ready together after the VAE decode: their events go out at once.
            await Task.WhenAll(claim.Entry.Jobs.Select(job => queue.PublishAsync(job.Id, new JobCompleted(), stop.Token)));
            await queue.AckAsync(claim, stop.Token);
            if (Interlocked.Add(ref completed, claim.Entry.Jobs.Count) == total)
            {
                done.TrySetResult();
                await stop.CancelAsync();
            }
        }
    }

    var tasks = Enumerable.Range(0, Producers).Select(p => Task.Run(() => Produce(p)))
        .Concat(Enumerable.Range(0, Consumers).Select(c => Task.Run(() => Consume(c))))
        .ToArray();
    await done.Task.WaitAsync(TimeSpan.FromSeconds(120));
    var seconds = timer.Elapsed.TotalSeconds;
    try
    {
        await Task.WhenAll(tasks);
    }
    catch (OperationCanceledException)
    {
        // Consumers waiting for more work are stopped when the last job is in.
    }
    return (seconds, total / seconds);
}

static QueueEntry Entry(int jobs, JobPriority priority)
{
    var batch = new BatchSpec(new BatchKey("sd15", 512, 512, 20, "euler_a", GenerationMode.TextToImage), 1.0, null, 0);
    var now = DateTimeOffset.UtcNow;
    var specs = Enumerable.Range(0, jobs).Select(i => new JobSpec(JobId.New(), "bench", priority, null, null, now,
        [new SampleSpec("a lighthouse at dusk, oil on canvas", "blurry", 1000 + i, 7.5, [new AdapterRef("bench-style", 0.8)], 0)]))
        .ToArray();
    return new QueueEntry(EntryKind.Generate, priority, batch, specs);
}

static async Task<double> RedisCpuSecondsAsync(RedisClient client)
{
    // INFO cpu: used_cpu_sys and used_cpu_user of the server process, in seconds.
    var info = (await client.ExecuteAsync("INFO", "cpu")).ToString();
    var total = 0.0;
    foreach (var line in info.Split('\n'))
    {
        if (line.StartsWith("used_cpu_sys:", StringComparison.Ordinal) || line.StartsWith("used_cpu_user:", StringComparison.Ordinal))
            total += double.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
    }
    return total;
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(p * sorted.Length))];

static string CpuModel()
{
    try
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
    }
    catch (IOException)
    {
        return "unknown CPU";
    }
}

static string LoadAverage()
{
    try
    {
        var parts = File.ReadAllText("/proc/loadavg").Split(' ');
        return $"{parts[0]} / {parts[1]} / {parts[2]}";
    }
    catch (IOException)
    {
        return "unknown";
    }
}

internal static partial class Program
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];
}

internal static partial class Program
{
    /// <summary>The steps of one overhead round, in order.</summary>
    private static readonly string[] StepNames =
        ["enqueue", "claim (watcher started)", "publish progress", "publish image and completed together", "ack", "watcher's remaining events"];
}
