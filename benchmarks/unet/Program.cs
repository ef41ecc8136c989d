using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using GenArt.Benchmarks.Unet;
using GenArt.Diffusion.Models.Unet;
using GenArt.Torch;
using F = GenArt.Torch.torch.nn.functional;

// UNet forward speed with the exact Stable Diffusion 1.5 config, random weights, float32 on CPU.
//   dotnet run -c Release --project benchmarks/unet -- [--threads 2] [--iters 3] [--out benchmarks/results/unet-sd15-cpu.md]
//   dotnet run -c Release --project benchmarks/unet -- --attention    (attention diagnostics only)
int threads = 2, iters = 3;
string? outPath = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--iters": iters = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--out": outPath = args[++i]; break;
        case "--attention": AttentionProbe(); return;
        default: throw new ArgumentException("unknown argument " + args[i]);
    }
}

torch.set_num_threads(threads);
string root = FindRoot();
var report = new List<string>();
void Line(string s)
{
    Console.WriteLine(s);
    report.Add(s);
}

var config = UNetConfig.FromFile(Path.Combine(root, "tests/fixtures/configs/stable-diffusion-v1-5/unet/config.json"));
var sw = Stopwatch.StartNew();
using var unet = new UNet2DConditionModel(config);
double buildS = sw.Elapsed.TotalSeconds;
sw.Restart();
using (var gen = new Generator(1234)) unet.ResetParameters(gen);
double resetS = sw.Elapsed.TotalSeconds;
unet.Eval();

using var mode = torch.inference_mode();
double convRate = ConvRate(iters);

Line($"# UNet forward, Stable Diffusion 1.5 config, float32, CPU");
Line("");
Line($"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Line($"- machine: {Environment.ProcessorCount} logical CPUs, {CpuName()}; {RuntimeInformation.OSDescription}; .NET {Environment.Version}");
Line($"- libtorch {torch.version}, {threads} threads (torch.set_num_threads), native SDPA: {torch.has_native_sdpa}");
Line($"- command: `dotnet run -c Release --project benchmarks/unet -- --threads {threads} --iters {iters}{(outPath is null ? "" : " --out " + outPath)}`");
Line($"- model: {unet.ParameterCount():N0} parameters, random weights (ResetParameters); build {buildS:F1} s, reset {resetS:F1} s");
Line($"- load average at start: {LoadAverage()}");
Line("");
Line("| case | s / forward (best) | s / forward (median) | GFLOP / forward | GFLOP/s (best) | vs conv2d rate |");
Line("|---|---|---|---|---|---|");
Line($"| conv2d 320->320 3x3, 2x320x64x64 | {ConvFlops / convRate / 1e9:F4} | | {ConvFlops / 1e9:F2} | {convRate:F1} | 100% |");
foreach (var (latent, batch) in new[] { (64L, 2L), (32L, 2L), (32L, 1L) })
{
    var (best, median) = TimeUnet(latent, batch, iters);
    double flops = FlopCounter.Count(unet, batch, latent, latent, 77);
    double rate = flops / best / 1e9;
    Line($"| UNet {latent}x{latent} latent, batch {batch} | {best:F3} | {median:F3} | {flops / 1e9:F1} | {rate:F1} | {rate / convRate:P0} |");
}

// Where the time goes: the forward's capture hook fires after each top-level module.
{
    using var gen = new Generator(7);
    using var sample = torch.randn([2, 4, 64, 64], gen);
    using var text = torch.randn([2, 77, 768], gen);
    using var t = torch.scalar_tensor(500, ScalarType.Int64);
    var marks = new List<(string Name, double At)>();
    var clock = Stopwatch.StartNew();
    using (var scope = torch.NewDisposeScope()) unet.forward(sample, t, text, (name, _) => marks.Add((name, clock.Elapsed.TotalSeconds)));
    Line("");
    Line("Time per top-level module, 64x64 latent, batch 2 (one forward):");
    Line("");
    Line("| module | s |");
    Line("|---|---|");
    double previous = 0;
    foreach (var (name, at) in marks)
    {
        Line($"| {name} | {at - previous:F3} |");
        previous = at;
    }
}

// The fixed per-forward cost (P/Invoke, dispose scopes, op dispatch) is bounded by a forward at a tiny size,
// where the kernels themselves do almost nothing.
var (tiny, _) = TimeUnet(8, 1, Math.Max(iters, 5));
double tinyFlops = FlopCounter.Count(unet, 1, 8, 8, 77);
Line("");
Line($"Time outside the kernels: a forward at an 8x8 latent (batch 1, {tinyFlops / 1e9:F2} GFLOP) takes {tiny * 1e3:F1} ms in all;");
Line("that bounds the per-forward cost of the managed side, the binding and libtorch's op dispatch (roughly two thousand native calls).");
Line("");
Line("FLOPs are counted analytically (benchmarks/unet/FlopCounter.cs): convolutions, linear layers and the two");
Line("attention matmuls (q k^T and p v); norms, softmax and element-wise ops are not counted.");

if (outPath is not null)
{
    File.WriteAllLines(Path.Combine(root, outPath), report);
    Console.WriteLine("wrote " + outPath);
}

(double Best, double Median) TimeUnet(long latent, long batch, int n)
{
    using var gen = new Generator(7);
    using var sample = torch.randn([batch, 4, latent, latent], gen);
    using var text = torch.randn([batch, 77, 768], gen);
    using var t = torch.scalar_tensor(500, ScalarType.Int64);
    var times = new List<double>();
    for (int i = 0; i <= n; i++)
    {
        var s = Stopwatch.StartNew();
        using (var scope = torch.NewDisposeScope()) unet.forward(sample, t, text);
        if (i > 0) times.Add(s.Elapsed.TotalSeconds); // the first call warms up
    }
    times.Sort();
    return (times[0], times[times.Count / 2]);
}

double ConvRate(int n)
{
    using var gen = new Generator(3);
    using var x = torch.randn([2, 320, 64, 64], gen);
    using var w = torch.randn([320, 320, 3, 3], gen);
    using var b = torch.randn([320], gen);
    double best = double.MaxValue;
    for (int i = 0; i <= Math.Max(n, 5); i++)
    {
        var s = Stopwatch.StartNew();
        using (F.conv2d(x, w, b, 1, 1)) { }
        if (i > 0) best = Math.Min(best, s.Elapsed.TotalSeconds);
    }
    return ConvFlops / best / 1e9;
}

// Diagnostics for the largest SD 1.5 self-attention (64x64 latent, batch 2: 4096 tokens, 320 channels, 8 heads):
// its parts (score matmul, softmax, exp, value matmul) beside a conv, then the whole block for several score
// budgets, in wall and process CPU time (CPU time is steadier on a shared machine).
static void AttentionProbe()
{
    torch.set_num_threads(2);
    using var mode = torch.inference_mode();
    using var gen = new Generator(1);
    using var attention = new GenArt.Diffusion.Models.Blocks.Attention(320, null, 8, 40);
    attention.ResetParameters(gen);
    using var x = torch.randn([2, 4096, 320], gen);
    using (var parts = torch.NewDisposeScope())
    {
        var q = torch.randn([16, 4096, 40], gen);
        var k = torch.randn([16, 4096, 40], gen);
        var v = torch.randn([16, 4096, 40], gen);
        var e = torch.empty([16, 4096, 4096]);
        var kt = k.transpose(1, 2).contiguous();
        var me = System.Diagnostics.Process.GetCurrentProcess();
        string T(Func<Tensor> f)
        {
            double b = double.MaxValue, c = double.MaxValue;
            for (int i = 0; i < 3; i++)
            {
                me.Refresh();
                var cpu0 = me.TotalProcessorTime;
                var s = Stopwatch.StartNew();
                using (f()) { }
                me.Refresh();
                b = Math.Min(b, s.Elapsed.TotalSeconds);
                c = Math.Min(c, (me.TotalProcessorTime - cpu0).TotalSeconds);
            }
            return $"{b:F3} s wall {c:F3} s CPU";
        }
        Console.WriteLine($"baddbmm kT view   {T(() => torch.baddbmm(e, q, k.transpose(1, 2), 0, 0.15))}");
        Console.WriteLine($"baddbmm kT contig {T(() => torch.baddbmm(e, q, kt, 0, 0.15))}");
        Console.WriteLine($"bmm kT view       {T(() => q.bmm(k.transpose(1, 2)))}");
        var sc = q.bmm(kt);
        Console.WriteLine($"softmax           {T(() => F.softmax(sc, -1))}");
        var p = F.softmax(sc, -1);
        Console.WriteLine($"bmm p v           {T(() => p.bmm(v))}");
        Console.WriteLine($"matmul 4-D        {T(() => q.view(2, 8, 4096, 40).matmul(k.view(2, 8, 4096, 40).transpose(-1, -2)))}");
        var cx = torch.randn([2, 320, 64, 64], gen);
        var cw = torch.randn([320, 320, 3, 3], gen);
        Console.WriteLine($"conv (15.1 GFLOP) {T(() => F.conv2d(cx, cw, null, 1, 1))}");
        var a2 = torch.randn([4096, 40], gen);
        var b2 = torch.randn([40, 4096], gen);
        Console.WriteLine($"mm 4096x40x4096 x16 {T(() => { Tensor r = null!; for (int i = 0; i < 16; i++) { r?.Dispose(); r = a2.matmul(b2); } return r; })}");
        var big = torch.randn([4096, 4096], gen);
        Console.WriteLine($"softmax 4096^2 x16 {T(() => { Tensor r = null!; for (int i = 0; i < 16; i++) { r?.Dispose(); r = F.softmax(big, -1); } return r; })}");
        Console.WriteLine($"exp 4096^2 x16 {T(() => { Tensor r = null!; for (int i = 0; i < 16; i++) { r?.Dispose(); r = big.exp(); } return r; })}");
        var big1 = torch.randn([1024, 4096], gen);
        Console.WriteLine($"softmax 1024x4096 x64 {T(() => { Tensor r = null!; for (int i = 0; i < 64; i++) { r?.Dispose(); r = F.softmax(big1, -1); } return r; })}");
    }
    long defaultBudget = GenArt.Diffusion.Models.Blocks.Attention.ScoreBudget;
    foreach (long budget in new[] { 1L << 28, 1L << 24, 1L << 22, 1L << 20 })
    {
        GenArt.Diffusion.Models.Blocks.Attention.ScoreBudget = budget;
        double best = double.MaxValue, bestCpu = double.MaxValue;
        var me = System.Diagnostics.Process.GetCurrentProcess();
        for (int i = 0; i < 4; i++)
        {
            me.Refresh();
            var cpu0 = me.TotalProcessorTime;
            var s = Stopwatch.StartNew();
            using (attention.forward(x)) { }
            me.Refresh();
            if (i > 0)
            {
                best = Math.Min(best, s.Elapsed.TotalSeconds);
                bestCpu = Math.Min(bestCpu, (me.TotalProcessorTime - cpu0).TotalSeconds);
            }
        }
        Console.WriteLine($"budget 2^{Math.Log2(budget):F0}: {best:F3} s wall, {bestCpu:F3} s CPU");
    }
    GenArt.Diffusion.Models.Blocks.Attention.ScoreBudget = defaultBudget;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GenArt.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new DirectoryNotFoundException("GenArt.sln not found above " + AppContext.BaseDirectory);
}

static string CpuName()
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
    try { return File.ReadAllText("/proc/loadavg").Trim(); }
    catch (IOException) { return "unknown"; }
}

internal static partial class Program
{
    public const double ConvFlops = 2.0 * 320 * 320 * 9 * 64 * 64 * 2;
}
