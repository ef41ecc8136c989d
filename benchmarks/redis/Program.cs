using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GenArt.Redis;
using GenArt.Redis.Benchmarks;

// Loopback throughput and latency of GenArt.Redis against a real redis-server.
// Usage: dotnet run -c Release --project benchmarks/redis -- [--connect redis://host:port] [--out path.md] [--quick]
string? connect = null, output = null;
bool quick = false;
int repeat = 3;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--connect": connect = args[++i]; break;
        case "--out": output = args[++i]; break;
        case "--quick": quick = true; break;
        case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Expected --connect <redis://...>, --out <file.md>, --repeat <n> or --quick.");
            return 2;
    }
}

int pipelinedOps = quick ? 20_000 : 500_000;
int sequentialOps = quick ? 2_000 : 20_000;
int queueRounds = quick ? 500 : 10_000;

await using var server = connect is null ? await LocalRedisServer.StartAsync() : null;
var options = connect is null ? new RedisOptions { Host = "127.0.0.1", Port = server!.Port } : RedisOptions.Parse(connect);
await using var client = await RedisClient.ConnectAsync(options);

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

Line("# GenArt.Redis client benchmark");
Line("");
Line($"- date (UTC): {DateTime.UtcNow:yyyy-MM-dd HH:mm}");
Line($"- machine: {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}");
Line($"- runtime: {RuntimeInformation.FrameworkDescription}, server: redis {await ServerVersionAsync(client)} on {options.EndPoint} (loopback, no persistence)");
Line($"- load average at start (1/5/15 min): {LoadAverage()} (the machine is shared; numbers move with it)");
Line($"- command: `dotnet run -c Release --project benchmarks/redis{(args.Length > 0 ? " -- " + string.Join(' ', args) : "")}`");
Line("");

await WarmUpAsync(client);

Line("## Throughput, pipelined (one connection, many commands in flight)");
Line("");
Line($"Each row is {repeat} runs of {pipelinedOps:N0} commands; the median run is shown with the slowest and fastest.");
Line("");
Line("| workload | in flight | median ops/s | min ops/s | max ops/s |");
Line("|---|---:|---:|---:|---:|");
foreach (var (name, make) in new (string, Func<Func<Task>>)[]
         {
             ("PING", () => () => client.PingAsync()),
             ("SET 16 B", () =>
             {
                 int n = 0;
                 return () => client.SetAsync($"bench:key:{n++ % 10_000}", "0123456789abcdef");
             }),
         })
{
    foreach (int window in new[] { 100, 1000 })
    {
        var rates = new double[repeat];
        for (int run = 0; run < repeat; run++)
        {
            var (seconds, ops) = await PipelinedAsync(pipelinedOps, window, make());
            rates[run] = ops / seconds;
        }
        Array.Sort(rates);
        Line($"| {name} | {window} | {rates[repeat / 2]:N0} | {rates[0]:N0} | {rates[^1]:N0} |");
    }
}
Line("");

Line("## Latency, one command at a time");
Line("");
Line("| workload | rounds | median µs | p90 µs | p99 µs |");
Line("|---|---:|---:|---:|---:|");
var ping = await LatencyAsync(sequentialOps, () => client.PingAsync());
Line($"| PING | {sequentialOps:N0} | {ping.Median:F0} | {ping.P90:F0} | {ping.P99:F0} |");

// The worker's loop for one job: enqueue, claim it, publish three events to the job's stream, acknowledge.
await client.DelAsync(["bench:queue", "bench:events"]);
await client.XGroupCreateAsync("bench:queue", "workers", "$", makeStream: true);
var trim = StreamTrim.MaxLength(1000, approximate: true);
async Task QueueRoundAsync(TimeSpan? block)
{
    await client.XAddAsync("bench:queue", [("job", "render"), ("prompt", "a red fox in the snow")], trim: trim);
    var claimed = await client.XReadGroupAsync("workers", "gpu-0", "bench:queue", ">", count: 1, block: block);
    string id = claimed[0].Id;
    for (int step = 0; step < 3; step++)
        await client.XAddAsync("bench:events", [("job", id), ("seq", step), ("kind", "progress")], trim: trim);
    await client.XAckAsync("bench:queue", "workers", id);
}
var queueShared = await LatencyAsync(queueRounds, () => QueueRoundAsync(null));
Line($"| queue round: XADD, XREADGROUP, 3 XADD, XACK | {queueRounds:N0} | {queueShared.Median:F0} | {queueShared.P90:F0} | {queueShared.P99:F0} |");
var queueBlocking = await LatencyAsync(queueRounds, () => QueueRoundAsync(TimeSpan.FromSeconds(1)));
Line($"| same, XREADGROUP BLOCK on its own connection | {queueRounds:N0} | {queueBlocking.Median:F0} | {queueBlocking.P90:F0} | {queueBlocking.P99:F0} |");
Line("");
Line("Each queue round awaits every command before sending the next (6 round trips), as a worker's steps depend on each other.");

if (output is not null)
{
    await File.WriteAllTextAsync(output, report.ToString());
    Console.WriteLine($"written to {output}");
}
return 0;

// Enough calls for tiered JIT to reach optimized code on the hot paths; the first 100k-odd commands run several times slower.
static async Task WarmUpAsync(RedisClient client)
{
    await PipelinedAsync(300_000, 1000, () => client.PingAsync());
    await PipelinedAsync(100_000, 1000, () => client.SetAsync("bench:warm", "0123456789abcdef"));
    await LatencyAsync(5_000, () => client.PingAsync());
}

static async Task<(double Seconds, int Ops)> PipelinedAsync(int total, int window, Func<Task> operation)
{
    var inFlight = new Task[window];
    var clock = Stopwatch.StartNew();
    for (int done = 0; done < total; done += window)
    {
        for (int i = 0; i < window; i++) inFlight[i] = operation();
        await Task.WhenAll(inFlight);
    }
    return (clock.Elapsed.TotalSeconds, total);
}

static async Task<(double Median, double P90, double P99)> LatencyAsync(int rounds, Func<Task> operation)
{
    var samples = new double[rounds];
    for (int i = 0; i < rounds; i++)
    {
        long start = Stopwatch.GetTimestamp();
        await operation();
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
    Array.Sort(samples);
    return (samples[rounds / 2], samples[(int)(rounds * 0.9)], samples[(int)(rounds * 0.99)]);
}

static async Task<string> ServerVersionAsync(RedisClient client)
{
    string info = (await client.ExecuteAsync("INFO", "server")).ToString();
    foreach (string line in info.Split('\n'))
    {
        if (line.StartsWith("redis_version:", StringComparison.Ordinal)) return line["redis_version:".Length..].Trim();
    }
    return "unknown";
}

static string LoadAverage()
{
    try
    {
        return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "unknown";
    }
}

static string CpuModel()
{
    try
    {
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
    }
    catch (IOException)
    {
        // Not Linux: fall through.
    }
    return RuntimeInformation.ProcessArchitecture.ToString();
}
