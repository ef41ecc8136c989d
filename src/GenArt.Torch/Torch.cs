using System.Runtime.InteropServices;
using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

/// <summary>The libtorch entry points, named as in PyTorch and TorchSharp: <c>torch.zeros</c>,
/// <c>torch.randn</c>, <c>torch.cat</c>, <c>torch.nn.functional.conv2d</c> ...</summary>
public static unsafe partial class torch
{
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType @bool = ScalarType.Bool;

    /// <summary>The libtorch version the shim was built against, e.g. "1.13.0".</summary>
    public static string version => Marshal.PtrToStringUTF8(gat_runtime_version()) ?? "unknown";

    /// <summary>libtorch's build configuration (BLAS, oneDNN, CPU capability ...), as torch.__config__.show().</summary>
    public static string config => Marshal.PtrToStringUTF8(Check(gat_runtime_config(), "config")) ?? string.Empty;

    /// <summary>True when scaled dot-product attention runs libtorch's fused kernel (libtorch >= 2.0).</summary>
    public static bool has_native_sdpa => gat_runtime_has_native_sdpa() != 0;

    public static int get_num_threads() => gat_runtime_get_num_threads();

    /// <summary>How libtorch's OpenMP threads wait between parallel regions, e.g. "OMP_WAIT_POLICY=PASSIVE": GenArt
    /// sets a passive policy before libtorch loads unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is already set.</summary>
    public static string openmp_wait_policy => GenArt.Torch.Internal.NativeEnvironment.DescribeWaitPolicy();

    /// <remarks>
    /// Also sets OpenBLAS's own thread pool, which libtorch leaves at one thread per core: on Debian's libtorch every
    /// CPU matmul and im2col convolution runs there, so without this a process told to use one thread uses them all.
    /// </remarks>
    public static void set_num_threads(int n)
    {
        Check(gat_runtime_set_num_threads(n), "set_num_threads");
        BlasThreads.Set(n);
    }

    /// <summary>Seeds libtorch's default generator (prefer a <see cref="Generator"/> per sample).</summary>
    public static void manual_seed(ulong seed) => Check(gat_generator_manual_seed(seed), "manual_seed");

    public static DisposeScope NewDisposeScope() => new();

    public static class cuda
    {
        private static readonly Lazy<bool> available = new(() => gat_runtime_cuda_available() != 0);

        public static bool is_available() => available.Value;

        public static int device_count() => is_available() ? gat_runtime_cuda_device_count() : 0;

        public static void synchronize(int device = -1) => Check(gat_runtime_cuda_synchronize(device), "cuda.synchronize");
    }

    // ---- creation ----

    /// <summary>A new tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static Tensor tensor<T>(ReadOnlySpan<T> data, long[] shape, Device? device = null) where T : unmanaged =>
        from_bytes(MemoryMarshal.AsBytes(data), shape, ScalarTypeExtensions.Of<T>(), device);

    public static Tensor tensor<T>(T[] data, params long[] shape) where T : unmanaged =>
        tensor<T>(data.AsSpan(), shape.Length == 0 ? [data.Length] : shape);

    /// <summary>A new tensor from raw little-endian element bytes of the given type (e.g. bfloat16 from a file).</summary>
    public static Tensor from_bytes(ReadOnlySpan<byte> bytes, long[] shape, ScalarType dtype, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        fixed (byte* p = bytes)
        fixed (long* s = shape)
            return Tensor.From(gat_tensor_from_data(p, bytes.Length, s, shape.Length, (sbyte)dtype, (int)d.Type, d.Index), "from_data");
    }

    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        fixed (long* s = shape) return Tensor.From(gat_tensor_empty(s, shape.Length, (sbyte)dtype, (int)d.Type, d.Index), "empty");
    }

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        fixed (long* s = shape) return Tensor.From(gat_tensor_full(s, shape.Length, value, (sbyte)dtype, (int)d.Type, d.Index), "full");
    }

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) => full(shape, 0, dtype, device);

    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) => full(shape, 1, dtype, device);

    public static Tensor zeros_like(Tensor t) => full(t.shape, 0, t.dtype, t.device);

    public static Tensor ones_like(Tensor t) => full(t.shape, 1, t.dtype, t.device);

    public static Tensor scalar_tensor(double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        return Tensor.From(gat_tensor_scalar(value, (sbyte)dtype, (int)d.Type, d.Index), "scalar_tensor");
    }

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        return Tensor.From(gat_tensor_arange(start, end, step, (sbyte)dtype, (int)d.Type, d.Index), "arange");
    }

    public static Tensor arange(long end, ScalarType dtype = ScalarType.Int64, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        return Tensor.From(gat_tensor_linspace(start, end, steps, (sbyte)dtype, (int)d.Type, d.Index), "linspace");
    }

    // ---- random: drawn on the CPU from the given generator, then moved; same seed, same numbers ----

    public static Tensor randn(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        fixed (long* s = shape)
            return Tensor.From(gat_generator_randn(generator?.Handle ?? IntPtr.Zero, s, shape.Length, (sbyte)dtype, (int)d.Type, d.Index), "randn");
    }

    public static Tensor rand(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        fixed (long* s = shape)
            return Tensor.From(gat_generator_rand(generator?.Handle ?? IntPtr.Zero, s, shape.Length, (sbyte)dtype, (int)d.Type, d.Index), "rand");
    }

    public static Tensor randint(long low, long high, long[] shape, Generator? generator = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        d.EnsureAvailable();
        fixed (long* s = shape)
            return Tensor.From(gat_generator_randint(generator?.Handle ?? IntPtr.Zero, low, high, s, shape.Length, (int)d.Type, d.Index), "randint");
    }

    public static Tensor randn_like(Tensor t, Generator? generator = null) => randn(t.shape, generator, t.dtype, t.device);

    // ---- joining and combining ----

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        Span<IntPtr> handles = Handles(tensors, stackalloc IntPtr[Math.Min(tensors.Count, 64)]);
        fixed (IntPtr* p = handles) return Tensor.From(gat_tensor_cat(p, handles.Length, dim), "cat");
    }

    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        Span<IntPtr> handles = Handles(tensors, stackalloc IntPtr[Math.Min(tensors.Count, 64)]);
        fixed (IntPtr* p = handles) return Tensor.From(gat_tensor_stack(p, handles.Length, dim), "stack");
    }

    public static Tensor einsum(string equation, params Tensor[] operands)
    {
        Span<IntPtr> handles = Handles(operands, stackalloc IntPtr[Math.Min(operands.Length, 64)]);
        fixed (IntPtr* p = handles) return Tensor.From(gat_math_einsum(equation, p, handles.Length), "einsum");
    }

    public static Tensor where(Tensor condition, Tensor a, Tensor b) =>
        Tensor.From(gat_math_where(condition.Handle, a.Handle, b.Handle), "where");

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);

    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);

    public static Tensor baddbmm(Tensor input, Tensor batch1, Tensor batch2, double beta = 1, double alpha = 1) =>
        input.baddbmm(batch1, batch2, beta, alpha);

    internal static Span<IntPtr> Handles(IReadOnlyList<Tensor> tensors, Span<IntPtr> buffer)
    {
        if (tensors.Count == 0) throw new ArgumentException("at least one tensor is needed", nameof(tensors));
        Span<IntPtr> span = tensors.Count <= buffer.Length ? buffer[..tensors.Count] : new IntPtr[tensors.Count];
        for (int i = 0; i < tensors.Count; i++) span[i] = tensors[i].Handle;
        return span;
    }

    // ---- autograd modes ----

    /// <summary>Disables gradient tracking on this thread until disposed.</summary>
    public static IDisposable no_grad() => new Internal.ModeGuard(Check(gat_autograd_no_grad_enter(), "no_grad"), gat_autograd_grad_mode_exit);

    public static IDisposable enable_grad() => new Internal.ModeGuard(Check(gat_autograd_enable_grad_enter(), "enable_grad"), gat_autograd_grad_mode_exit);

    /// <summary>Inference mode on this thread until disposed: no autograd bookkeeping at all (faster than no_grad).</summary>
    public static IDisposable inference_mode() =>
        new Internal.ModeGuard(Check(gat_autograd_inference_mode_enter(), "inference_mode"), gat_autograd_inference_mode_exit);

    public static bool is_grad_enabled() => gat_autograd_is_enabled() != 0;
}
