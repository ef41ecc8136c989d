using System.Diagnostics;
using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Pipelines;
using GenArt.Torch;
using GenArt.Torch.Modules;

// Full-pipeline latency and peak memory, one model per process (so peak RSS belongs to that model):
//   dotnet run -c Release --project benchmarks/pipeline -- tiny <golden pipeline folder> [size] [steps] [threads] [repeats]
//   dotnet run -c Release --project benchmarks/pipeline -- sd15 <cache folder> [size] [steps] [threads] [repeats]
// The reported generate time is the median of the timed runs (default 5 for tiny, 1 for sd15).
// sd15 writes the exact SD 1.5 configs with random weights (float16 on disk) to the cache folder first.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: (tiny <model folder> | sd15 <cache folder>) [size=256] [steps=20] [threads=cores] [repeats]");
    return 2;
}
string kind = args[0];
string path = args[1];
int size = args.Length > 2 ? int.Parse(args[2]) : (kind == "tiny" ? 128 : 256);
int steps = args.Length > 3 ? int.Parse(args[3]) : 20;
torch.set_num_threads(args.Length > 4 ? int.Parse(args[4]) : Environment.ProcessorCount);

if (kind == "sd15") path = RandomModel.Ensure("sd15", path);
long rssBefore = Memory.CurrentRss();
var load = Stopwatch.StartNew();
using var model = StableDiffusionModel.Load(path);
double loadSeconds = load.Elapsed.TotalSeconds;
long weightBytes = new Module[] { model.TextEncoder, model.Unet, model.Vae }.Sum(m => m.Parameters().Sum(p => p.numel() * 4));

var pipeline = new StableDiffusionPipeline(model);
var settings = new GenerationSettings { Width = size, Height = size, Steps = steps, Scheduler = "dpmpp-2m-karras" };
var sample = new SampleRequest { Prompt = "a red circle on a blue background", Seed = 42 };
pipeline.Generate(settings with { Steps = 2 }, [sample]); // warm-up: kernel selection, first allocations

// Timed generates: the median of several, because one run on a shared machine can be off by 2x.
int repeats = args.Length > 5 ? int.Parse(args[5]) : (kind == "tiny" ? 5 : 1);
var stepTimes = new List<double>();
var generateTimes = new List<double>();
for (int r = 0; r < repeats; r++)
{
    var stepWatch = Stopwatch.StartNew();
    var total = Stopwatch.StartNew();
    pipeline.Generate(settings, [sample], onStep: _ => { stepTimes.Add(stepWatch.Elapsed.TotalSeconds); stepWatch.Restart(); });
    generateTimes.Add(total.Elapsed.TotalSeconds);
}
generateTimes.Sort();
double seconds = generateTimes[generateTimes.Count / 2];

// UNet alone on the same shapes (CFG batch 2), to split a step into UNet kernels and everything else.
double unetSeconds;
long unetOps;
using (torch.inference_mode())
using (var scope = torch.NewDisposeScope())
{
    using var g = new Generator(1);
    long side = size / model.LatentScale;
    var x = torch.randn([2, 4, side, side], g);
    var ctx = torch.randn([2, 77, model.TextEncoder.Config.HiddenSize], g);
    var t = torch.scalar_tensor(500);
    long handlesBefore = Tensor.CreatedOnThisThread;
    model.Unet.forward(x, t, ctx).Dispose();
    unetOps = Tensor.CreatedOnThisThread - handlesBefore;
    var best = double.MaxValue;
    for (int i = 0; i < 3; i++)
    {
        var sw = Stopwatch.StartNew();
        model.Unet.forward(x, t, ctx).Dispose();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    unetSeconds = best;
}
// The binding's cost per op: a 16-element add, handle created and disposed, as the binding benchmark measures it.
double perOp;
using (torch.inference_mode())
using (var a = torch.ones([16]))
using (var b = torch.ones([16]))
{
    for (int i = 0; i < 10_000; i++) (a + b).Dispose();
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < 100_000; i++) (a + b).Dispose();
    perOp = sw.Elapsed.TotalSeconds / 100_000;
}
var sorted = stepTimes.OrderBy(s => s).ToList();
double medianStep = sorted[sorted.Count / 2];
Console.WriteLine($"model        {kind} ({model.Name}), weights {weightBytes / 1e9:F3} GB as float32");
Console.WriteLine($"threads      {torch.get_num_threads()}, size {size}x{size}, {steps} steps, dpmpp-2m-karras, batch 1 (CFG: UNet batch 2)");
Console.WriteLine($"load         {loadSeconds:F2} s");
Console.WriteLine($"generate     {seconds:F3} s median of {repeats} (fastest {generateTimes[0]:F3} s, slowest {generateTimes[^1]:F3} s; {seconds / steps * 1000:F1} ms per step incl. text encoder and VAE decode)");
Console.WriteLine($"steps        mean {stepTimes.Average() * 1000:F1} ms, p10 {sorted[sorted.Count / 10] * 1000:F1} ms, p90 {sorted[sorted.Count * 9 / 10] * 1000:F1} ms, slowest {sorted[^1] * 1000:F1} ms");
Console.WriteLine($"step median  {medianStep * 1000:F1} ms; UNet forward alone {unetSeconds * 1000:F1} ms; outside the UNet {(medianStep - unetSeconds) / medianStep * 100:F1}% of a step");
Console.WriteLine($"UNet ops     {unetOps} native ops per forward x {perOp * 1e9:F0} ns (a whole small op: binding + dispatch + kernel) = {unetOps * perOp * 1000:F2} ms, {unetOps * perOp / unetSeconds * 100:F3}% of the forward: an upper bound on the time outside libtorch's kernels");
Console.WriteLine($"peak RSS     {Memory.PeakRss() / 1e9:F3} GB (before load {rssBefore / 1e9:F3} GB); target 1.3 x weights + 1 GB = {(1.3 * weightBytes + 1e9) / 1e9:F3} GB");
return 0;
