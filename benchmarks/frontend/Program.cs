using System.Diagnostics;
using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Diffusion.Pipelines;
using GenArt.Rpc;
using GenArt.Torch;
using GenArt.Worker;
using GenArt.Benchmarks.FrontEnd;

// Front-end cost, measured against a `genart serve` child process on 127.0.0.1:
//   latency <model folder> [calls=20] [size=128] [steps=20]
//     Generate through the server (all-in-one: front end, in-process queue and worker) against the same pipeline
//     called in this process, interleaved call by call; both run on every core and encode the PNG the same way.
//   streams <model folder> [calls=1000]
//     opens that many Generate calls at once, waits until every one is accepted, and reads the server's resident
//     memory while they are all open.
// The server binary is the built CLI: src/GenArt.Cli/bin/Release/net10.0/genart.dll.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: (latency <model> [calls] [size] [steps] | streams <model> [calls])");
    return 2;
}
string mode = args[0], model = Path.GetFullPath(args[1]);
string modelName = Path.GetFileName(model.TrimEnd('/'));
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; date {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}; model {modelName}");

await using var server = await ServerProcess.StartAsync(model);
using var client = new RemoteClient($"127.0.0.1:{server.Port}", server.Key);
return mode switch
{
    "latency" => await Latency(args.Length > 2 ? int.Parse(args[2]) : 20, args.Length > 3 ? int.Parse(args[3]) : 128, args.Length > 4 ? int.Parse(args[4]) : 20),
    "streams" => await Streams(args.Length > 2 ? int.Parse(args[2]) : 1000),
    _ => 2,
};

async Task<int> Latency(int calls, int size, int steps)
{
    torch.set_num_threads(Environment.ProcessorCount);
    using var sd = StableDiffusionModel.Load(model);
    var pipeline = new StableDiffusionPipeline(sd);
    var settings = new GenerationSettings { Width = size, Height = size, Steps = steps, Scheduler = "ddim" };
    string prompt = "a red circle on a blue background";

    double Local(ulong seed)
    {
        var sw = Stopwatch.StartNew();
        var result = pipeline.Generate(settings, [new SampleRequest { Prompt = prompt, Seed = seed }])[0];
        var record = new GenerationRecord(prompt, "", seed, 7.5, steps, "ddim", size, size, modelName, "txt2img", null, 0);
        byte[] png = ImageOutput.EncodePng(result.Image!, record);
        if (png.Length == 0) throw new InvalidOperationException("empty PNG");
        return sw.Elapsed.TotalMilliseconds;
    }

    async Task<double> Remote(ulong seed)
    {
        var request = new GenerateRequest { Model = modelName, Prompt = prompt, Steps = (uint)steps, Scheduler = "ddim", Width = (uint)size, Height = (uint)size, Seed = seed };
        var sw = Stopwatch.StartNew();
        using var call = client.Channel.ServerStreaming(RemoteClient.Generate, request, client.Options());
        int images = 0;
        await foreach (var e in call.ResponseStream.ReadAllAsync())
            if (e.EventCase == JobEvent.EventOneofCase.Image) images++;
        double ms = sw.Elapsed.TotalMilliseconds;
        if (images != 1) throw new InvalidOperationException($"expected one image, got {images}");
        return ms;
    }

    // Warm-up on both sides: kernel selection, first allocations, JIT.
    for (int i = 0; i < 2; i++) { Local(1); await Remote(1); }
    var local = new List<double>();
    var remote = new List<double>();
    var diffs = new List<double>();
    for (int i = 0; i < calls; i++)
    {
        ulong seed = (ulong)(100 + i);
        // Alternate which goes first so slow drifts of the machine fall on both sides equally.
        double l, r;
        if (i % 2 == 0) { l = Local(seed); r = await Remote(seed); }
        else { r = await Remote(seed); l = Local(seed); }
        local.Add(l); remote.Add(r); diffs.Add(r - l);
    }
    Console.WriteLine($"{calls} calls, {size}x{size}, {steps} steps, ddim, batch 1");
    Console.WriteLine($"in-process pipeline + PNG   median {Median(local):F1} ms  (min {local.Min():F1}, max {local.Max():F1})");
    Console.WriteLine($"Generate through the server median {Median(remote):F1} ms  (min {remote.Min():F1}, max {remote.Max():F1})");
    Console.WriteLine($"difference of medians       {Median(remote) - Median(local):F1} ms");
    Console.WriteLine($"median of paired differences {Median(diffs):F1} ms");
    return 0;
}

async Task<int> Streams(int count)
{
    long idle = server.ResidentBytes();
    // The longest allowed jobs, so the worker is still on the first batches while every call is open.
    var request = new GenerateRequest { Model = modelName, Prompt = "a green star", Steps = 200, Scheduler = "ddim", Width = 128, Height = 128 };
    using var cts = new CancellationTokenSource();
    var calls = new List<GenArt.Rpc.Client.AsyncServerStreamingCall<JobEvent>>(count);
    var accepted = new List<Task<string>>(count);
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < count; i++)
    {
        var call = client.Channel.ServerStreaming(RemoteClient.Generate, request.Clone(), client.Options(cts.Token));
        calls.Add(call);
        accepted.Add(FirstEvent(call));
    }
    var ids = await Task.WhenAll(accepted);
    double openSeconds = sw.Elapsed.TotalSeconds;
    long open = server.ResidentBytes();
    long peak = server.PeakResidentBytes();
    Console.WriteLine($"{count} Generate calls open and accepted in {openSeconds:F1} s ({ids.Distinct().Count()} distinct jobs)");
    Console.WriteLine($"server resident memory: idle {Mb(idle)}, with {count} open streams {Mb(open)}, peak so far {Mb(peak)}");
    Console.WriteLine($"per open stream: {(open - idle) / (double)count / 1024:F1} KiB");
    Console.WriteLine($"server threads: {server.Threads()}");
    // Cancel the jobs so the server has nothing left to do, then end the calls.
    foreach (var id in ids) await client.Channel.UnaryAsync(RemoteClient.Cancel, new CancelJobRequest { JobId = id }, client.Options());
    cts.Cancel();
    foreach (var c in calls) c.Dispose();
    return 0;
}

static async Task<string> FirstEvent(GenArt.Rpc.Client.AsyncServerStreamingCall<JobEvent> call)
{
    if (!await call.ResponseStream.MoveNext(CancellationToken.None) || call.ResponseStream.Current.Accepted is null)
        throw new InvalidOperationException("a call ended before it was accepted");
    return call.ResponseStream.Current.JobId;
}

static double Median(List<double> xs)
{
    var s = xs.Order().ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

static string Mb(long bytes) => $"{bytes / 1048576.0:F0} MiB";
