using BenchmarkDotNet.Attributes;
using GenArt.Torch;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Benchmarks;

/// <summary>
/// The cost of the managed binding: one small op including its handle's creation and disposal, and two
/// compute-bound kernels whose speed should be libtorch's own. benchmarks/torch-binding.sh runs these beside
/// the same calls from C++ (native/bench/gat_bench.cpp) and from PyTorch's Python front end.
/// </summary>
/// <remarks>Ten measured iterations: with ShortRun's three, one noisy neighbour on a shared 2-core machine
/// decides the result of a 100 ms kernel.</remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class TorchBindingBenchmarks
{
    private Tensor a16 = null!, b16 = null!, x = null!, w = null!, bias = null!, m1 = null!, m2 = null!;

    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        a16 = torch.ones([16]);
        b16 = torch.full([16], 2);
        x = torch.full([2, 320, 64, 64], 0.01);
        w = torch.full([320, 320, 3, 3], 0.01);
        bias = torch.zeros([320]);
        m1 = torch.full([2048, 2048], 0.01);
        m2 = torch.full([2048, 2048], 0.01);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { a16, b16, x, w, bias, m1, m2 }) t.Dispose();
    }

    /// <summary>add of two 16-element tensors, result handle created and disposed.</summary>
    [Benchmark]
    public void Add16()
    {
        using var c = a16 + b16;
    }

    /// <summary>320->320 3x3 convolution on 2x320x64x64: 2*2*320*64*64*320*9 = 15.1 GFLOP.</summary>
    [Benchmark]
    public void Conv2d()
    {
        using var y = F.conv2d(x, w, bias, padding: 1);
    }

    /// <summary>2048^3 matmul: 17.2 GFLOP.</summary>
    [Benchmark]
    public void Matmul()
    {
        using var y = m1.matmul(m2);
    }
}
