using System.Diagnostics;
using System.Globalization;
using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Torch;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

// Per-sample LoRA against no LoRA and against swap-and-merge, for one denoising step (the UNet forward on the
// classifier-free-guidance batch: 2 rows per sample), and the time to load an adapter into the cache.
//   dotnet run -c Release --project benchmarks/lora -- step <tiny|sd15> [--batch 8] [--rank 16] [--iters 5] [--threads 2] [--locon] [--brief]
//   (--brief: only no adapters, per sample and swap-and-merge; --latent N: N x N latents instead of the model's
//   sample size (tiny) or 64 (sd15))
//   dotnet run -c Release --project benchmarks/lora -- load [--rank 16] [--iters 7] [--threads 2]
string mode = args.Length > 0 ? args[0] : throw new ArgumentException("usage: step <tiny|sd15> ... | load ...");
string model = mode == "step" && args.Length > 1 ? args[1] : "sd15";
int batch = 8, rank = 16, iters = 5, threads = 2;
long? latentArg = null;
bool locon = false, brief = false;
for (int i = mode == "step" ? 2 : 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rank": rank = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--iters": iters = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--locon": locon = true; break;
        case "--brief": brief = true; break;
        case "--latent": latentArg = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException("unknown argument " + args[i]);
    }
}
torch.set_num_threads(threads);
string root = FindRoot();
string temp = Path.Combine(Path.GetTempPath(), "genart-lora-bench-" + Environment.ProcessId);
Directory.CreateDirectory(temp);
try
{
    if (mode == "load") Load();
    else Step();
}
finally
{
    Directory.Delete(temp, true);
}

void Step()
{
    string configDir = model == "tiny" ? Path.Combine(root, "models/genart-tiny") : Path.Combine(root, "tests/fixtures/configs/stable-diffusion-v1-5");
    var config = UNetConfig.FromFile(Path.Combine(configDir, "unet/config.json"));
    long latent = latentArg ?? (model == "tiny" ? config.SampleSize?[0] ?? 16 : 64);
    using var unet = new UNet2DConditionModel(config);
    using (var g = new Generator(1234)) unet.ResetParameters(g);
    unet.Eval();
    var shapes = BaseModelShapes.FromModels(unet, null);
    var adapters = Enumerable.Range(0, batch).Select(i =>
        LoraAdapterFile.Load(WriteRandom(Path.Combine(temp, $"a{i}.safetensors"), shapes, (ulong)(100 + i), rank, locon), shapes, id: $"a{i}")).ToList();
    int targets = adapters[0].Summary.TargetCount;
    long adapterBytes = adapters[0].SizeBytes;

    using var inference = torch.inference_mode();
    using var gen = new Generator(7);
    using var x = torch.randn([2 * batch, config.InChannels, latent, latent], gen);
    using var context = torch.randn([2 * batch, 77, config.CrossAttentionDim[0]], gen);
    using var x1 = x.narrow(0, 0, 2).contiguous();
    using var context1 = context.narrow(0, 0, 2).contiguous();
    using var t = torch.scalar_tensor(500, ScalarType.Float32);
    var rows = Enumerable.Range(0, batch).Concat(Enumerable.Range(0, batch)).ToArray();
    var layers = BaseModelShapes_LayersOf(unet);

    double None()
    {
        var sw = Stopwatch.StartNew();
        using (var scope = torch.NewDisposeScope()) unet.forward(x, t, context);
        return sw.Elapsed.TotalSeconds;
    }
    // A batch's LoraBatch lives for all its steps (it stacks each layer's A and B on the first step); a step reuses it.
    LoraBatch NewBatch(bool same)
    {
        var lora = new LoraBatch(unet, null, Enumerable.Range(0, batch).Select(i => (IReadOnlyList<LoraUse>)[new LoraUse(adapters[same ? 0 : i], 0.8)]).ToList());
        lora.SetRows(rows);
        return lora;
    }
    using var different = NewBatch(false);
    using var sameForAll = NewBatch(true);
    double PerSample(bool same)
    {
        var sw = Stopwatch.StartNew();
        using (LayerOutputHooks.Use(same ? sameForAll : different))
        using (var scope = torch.NewDisposeScope())
            unet.forward(x, t, context);
        return sw.Elapsed.TotalSeconds;
    }
    double FirstStep()
    {
        // a new batch: its first step also builds the stacks
        var sw = Stopwatch.StartNew();
        using var lora = NewBatch(false);
        using (LayerOutputHooks.Use(lora))
        using (var scope = torch.NewDisposeScope())
            unet.forward(x, t, context);
        return sw.Elapsed.TotalSeconds;
    }
    double SwapAndMerge()
    {
        // batch 1 per adapter: merge W += s (alpha/r) B A, run the sample's two rows, unmerge
        var sw = Stopwatch.StartNew();
        foreach (var adapter in adapters)
        {
            Merge(adapter, layers, 0.8);
            using (var scope = torch.NewDisposeScope()) unet.forward(x1, t, context1);
            Merge(adapter, layers, -0.8);
        }
        return sw.Elapsed.TotalSeconds;
    }
    double MergedBatch()
    {
        // every sample with the same adapter: merged once, one batch
        var sw = Stopwatch.StartNew();
        Merge(adapters[0], layers, 0.8);
        using (var scope = torch.NewDisposeScope()) unet.forward(x, t, context);
        Merge(adapters[0], layers, -0.8);
        return sw.Elapsed.TotalSeconds;
    }

    var cases = new List<(string Name, Func<double> Run)>
    {
        ($"no adapters, batch {batch}", None),
        ($"{batch} different adapters, per sample, batch {batch}", () => PerSample(false)),
        ($"swap-and-merge, batch 1 x {batch} adapters", SwapAndMerge),
    };
    if (!brief)
    {
        cases.Add(($"{batch} different adapters, per sample, batch {batch}: a batch's first step (stacks A and B)", FirstStep));
        cases.Add(($"one adapter for all, per sample, batch {batch}", () => PerSample(true)));
        cases.Add(($"one adapter for all, merged, batch {batch}", MergedBatch));
    }
    // warm-up; it also builds the per-sample batches' stacks, as a batch's first step does (on 8x8 latents: the
    // stacks do not depend on the latent size, and an SD 1.5 step at 64x64 is long enough to need no other warm-up)
    using (var small = torch.randn([2 * batch, config.InChannels, 8, 8], gen))
    using (var scope = torch.NewDisposeScope())
    {
        foreach (var lora in new[] { different, sameForAll })
            using (LayerOutputHooks.Use(lora)) unet.forward(small, t, context);
        if (!brief) unet.forward(small, t, context);
    }
    var times = cases.Select(_ => new List<double>()).ToArray();
    var cpu = cases.Select(_ => new List<double>()).ToArray();
    var process = Process.GetCurrentProcess();
    for (int it = 0; it < iters; it++)
        for (int k = 0; k < cases.Count; k++)
        {
            int c = (k + it) % cases.Count; // rotate the order so drift in machine load spreads over every case
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            times[c].Add(cases[c].Run());
            process.Refresh();
            cpu[c].Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
            Console.Error.WriteLine($"round {it + 1}: {cases[c].Name}: {times[c][^1]:F3} s wall, {cpu[c][^1]:F3} s CPU (load average {LoadAverage()})");
        }

    Console.WriteLine($"model {model}: UNet {unet.ParameterCount():N0} parameters, random weights; latent {latent}x{latent}; batch {batch} samples = {2 * batch} UNet rows (CFG)");
    Console.WriteLine($"adapters: rank {rank}, {targets} layers each ({(locon ? "attention, projections, feed-forward and every resnet conv (LoCon)" : "attention, projections and feed-forward")}), {adapterBytes / 1e6:F1} MB each");
    Console.WriteLine($"threads {threads}, {iters} rounds, case order rotated each round; load average {LoadAverage()}");
    Console.WriteLine();
    // throughput ratio = time without adapters / time of the case; the per-round ratio pairs runs made moments apart,
    // which cancels most of the drift of a shared machine
    // CPU seconds (user + system of this process) count the work done whatever share of the cores the other tenants
    // of the machine leave us; run with OMP_WAIT_POLICY=PASSIVE so idle worker threads do not spin on the clock.
    Console.WriteLine("| case | CPU s per step (median) | CPU s (best) | wall s (median) | throughput vs none, CPU time (ratio of medians) | wall time: median of per-round ratios |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    for (int c = 0; c < cases.Count; c++)
    {
        var ratios = times[c].Select((v, i) => times[0][i] / v).ToList();
        Console.WriteLine($"| {cases[c].Name} | {Median(cpu[c]):F4} | {cpu[c].Min():F4} | {Median(times[c]):F4} | {Median(cpu[0]) / Median(cpu[c]):F3}x | {Median(ratios):F3}x |");
    }
    foreach (var a in adapters) a.Dispose();
}

void Load()
{
    string configDir = Path.Combine(root, "tests/fixtures/configs/stable-diffusion-v1-5");
    using var unet = new UNet2DConditionModel(UNetConfig.FromFile(Path.Combine(configDir, "unet/config.json")));
    using var text = new ClipTextModel(ClipTextConfig.StableDiffusion1);
    var shapes = BaseModelShapes.FromModels(unet, text);
    string file = WriteRandom(Path.Combine(temp, "sd15.safetensors"), shapes, 5, rank, false, withText: true);
    var inspect = new List<double>();
    var load = new List<double>();
    LoraSummary? summary = null;
    long bytes = 0;
    for (int i = 0; i < iters + 1; i++)
    {
        var sw = Stopwatch.StartNew();
        summary = LoraAdapterFile.Inspect(file, shapes);
        double inspectS = sw.Elapsed.TotalSeconds;
        sw.Restart();
        using var adapter = LoraAdapterFile.Load(file, shapes, id: "x");
        double loadS = sw.Elapsed.TotalSeconds;
        bytes = adapter.SizeBytes;
        if (i == 0) continue; // the first read warms the page cache and the JIT
        inspect.Add(inspectS);
        load.Add(loadS);
    }
    Console.WriteLine($"adapter: SD 1.5 UNet and text encoder, rank {rank}, {summary!.TargetCount} layers ({summary.UnetTargetCount} UNet, {summary.TextEncoderTargetCount} text encoder), file {new FileInfo(file).Length / 1e6:F1} MB, {bytes / 1e6:F1} MB of tensors");
    Console.WriteLine($"threads {threads}, {iters} timed runs after one warm-up (file in the page cache); load average {LoadAverage()}");
    Console.WriteLine();
    Console.WriteLine("| operation | ms (median) | ms (best) | ms (worst) |");
    Console.WriteLine("|---|---:|---:|---:|");
    Console.WriteLine($"| validate only (LoraAdapterFile.Inspect: header and alphas) | {Median(inspect) * 1e3:F1} | {inspect.Min() * 1e3:F1} | {inspect.Max() * 1e3:F1} |");
    Console.WriteLine($"| validate and load tensors (LoraAdapterFile.Load, a cache miss) | {Median(load) * 1e3:F1} | {load.Min() * 1e3:F1} | {load.Max() * 1e3:F1} |");
}

static List<KeyValuePair<string, Module>> BaseModelShapes_LayersOf(Module m) => m.NamedModules().Where(p => p.Value is Linear or Conv2d).ToList();

static void Merge(LoraAdapter adapter, List<KeyValuePair<string, Module>> layers, double scale)
{
    var byName = layers.ToDictionary(l => l.Key, l => l.Value);
    foreach (var w in adapter.Layers)
    {
        using var scope = torch.NewDisposeScope();
        var weight = byName[w.Target.Module] switch { Linear l => l.Weight, Conv2d c => c.Weight, _ => throw new InvalidOperationException() };
        var delta = w.Up.matmul(w.Down.reshape(w.Target.Rank, -1)).reshape(weight.shape);
        weight.add_(delta, scale * w.Multiplier);
    }
}

static string WriteRandom(string path, BaseModelShapes shapes, ulong seed, int rank, bool locon, bool withText = false)
{
    using var g = new Generator(seed);
    var tensors = new Dictionary<string, Tensor>();
    void Add(string prefix, string module, long[] shape)
    {
        long[] down = shape.Length == 2 ? [rank, shape[1]] : [rank, shape[1], shape[2], shape[3]];
        long[] up = shape.Length == 2 ? [shape[0], rank] : [shape[0], rank, 1, 1];
        string name = prefix + module.Replace('.', '_');
        tensors[name + ".lora_down.weight"] = torch.randn(down, g).mul_(1 / Math.Sqrt(down.Skip(1).Aggregate(1L, (a, b) => a * b)));
        tensors[name + ".lora_up.weight"] = torch.randn(up, g).mul_(0.5 / Math.Sqrt(rank));
        tensors[name + ".alpha"] = torch.tensor(new float[] { rank });
    }
    foreach (var (module, shape) in shapes.Unet)
        if (module.Contains(".attentions.", StringComparison.Ordinal) || locon && module.Contains(".resnets.", StringComparison.Ordinal))
            Add("lora_unet_", module, shape);
    if (withText)
        foreach (var (module, shape) in shapes.TextEncoder)
            if (module.Contains(".layers.", StringComparison.Ordinal)) Add("lora_te_", module, shape);
    SafeTensorsWriter.Save(path, tensors);
    foreach (var t in tensors.Values) t.Dispose();
    return path;
}

static double Median(List<double> v)
{
    var s = v.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string FindRoot()
{
    foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenArt.sln"))) return dir.FullName;
    throw new DirectoryNotFoundException("GenArt.sln not found above the program or the current directory");
}
