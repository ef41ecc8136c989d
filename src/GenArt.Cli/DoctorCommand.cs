using System.CommandLine;
using System.Diagnostics;
using GenArt.Torch;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Cli;

/// <summary><c>genart doctor</c>: loads libtorch through GenArt.Torch and reports what this machine offers.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: one per logical core)" };
        var seconds = new Option<double>("--seconds") { Description = "time budget per measurement", DefaultValueFactory = _ => 2.0 };
        var command = new Command("doctor", "check the tensor engine: libtorch version, devices, threads and measured speed");
        command.Options.Add(threads);
        command.Options.Add(seconds);
        command.SetAction(result => Run(result.GetValue(threads), result.GetValue(seconds)));
        return command;
    }

    private static int Run(int? threads, double seconds)
    {
        // libtorch defaults to one thread per physical core; a 2-vCPU machine reports one. Use every core.
        torch.set_num_threads(threads ?? Environment.ProcessorCount);
        Console.WriteLine($"libtorch        {torch.version} (scaled_dot_product_attention: {(torch.has_native_sdpa ? "native" : "composed")})");
        Console.WriteLine($"threads         {torch.get_num_threads()} (machine has {Environment.ProcessorCount} cores)");
        Console.WriteLine($"OpenMP waits    {torch.openmp_wait_policy}");
        Console.WriteLine($"devices         cpu{CudaDevices()}");
        Console.WriteLine($"BLAS            {Blas()}");

        using (torch.inference_mode())
        {
            double conv = MeasureConv2d(seconds);
            Console.WriteLine($"conv2d          {conv,7:F1} GFLOP/s  (320->320 3x3 on 2x320x64x64, float32, cpu)");
            double mm = MeasureMatmul(seconds);
            Console.WriteLine($"matmul          {mm,7:F1} GFLOP/s  (2048^3, float32, cpu)");
            if (mm < 30)
                Console.WriteLine("warning         matmul is slow: libtorch is probably using the reference BLAS; install libopenblas0-pthread");
        }
        Console.WriteLine("status          ok");
        return 0;
    }

    private static string CudaDevices()
    {
        if (!torch.cuda.is_available()) return " (no CUDA in this libtorch build or no GPU visible)";
        return string.Concat(Enumerable.Range(0, torch.cuda.device_count()).Select(i => $", cuda:{i}"));
    }

    /// <summary>The BLAS library libtorch actually loaded (Debian picks it through the libblas.so.3 alternative).</summary>
    private static string Blas()
    {
        var loaded = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Where(p => p.Contains("blas", StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .ToList();
        return loaded.Count == 0 ? "none loaded" : string.Join(", ", loaded);
    }

    /// <summary>Best GFLOP/s of a 320->320 3x3 convolution on a 2x320x64x64 input (one SD 1.5 UNet conv at 512x512).</summary>
    internal static double MeasureConv2d(double seconds)
    {
        using var x = torch.full([2, 320, 64, 64], 0.01);
        using var w = torch.full([320, 320, 3, 3], 0.01);
        using var b = torch.zeros([320]);
        double flops = 2.0 * 2 * 320 * 64 * 64 * 320 * 9;
        return flops / BestSeconds(() => F.conv2d(x, w, b, padding: 1).Dispose(), seconds) / 1e9;
    }

    internal static double MeasureMatmul(double seconds)
    {
        using var a = torch.full([2048, 2048], 0.01);
        using var b = torch.full([2048, 2048], 0.01);
        return 2.0 * 2048 * 2048 * 2048 / BestSeconds(() => a.matmul(b).Dispose(), seconds) / 1e9;
    }

    private static double BestSeconds(Action body, double budget)
    {
        body(); // warm-up: first-call kernel selection and allocation
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        do
        {
            var sw = Stopwatch.StartNew();
            body();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        } while (total.Elapsed.TotalSeconds < budget);
        return best;
    }
}
