using System.Runtime.InteropServices;

namespace GenArt.Torch;

/// <summary>
/// OpenBLAS's own thread count, when libtorch runs its CPU matmuls on OpenBLAS (Debian's libtorch). OpenBLAS splits
/// a matmul over its threads and wakes them for every call; for many small matmuls (an adapter's rank-16
/// projections) the wake-ups cost more than the arithmetic, so such code runs them on the calling thread.
/// Process-wide: it affects matmuls that other threads run at the same time.
/// </summary>
public static unsafe class BlasThreads
{
    private static readonly delegate* unmanaged<int, void> setThreads;
    private static readonly delegate* unmanaged<int> getThreads;

    static BlasThreads()
    {
        // the library libtorch loaded: dlopen of a loaded soname returns that same copy
        if (!NativeLibrary.TryLoad("libopenblas.so.0", typeof(BlasThreads).Assembly, null, out var lib)) return;
        if (NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out var set) && NativeLibrary.TryGetExport(lib, "openblas_get_num_threads", out var get))
        {
            setThreads = (delegate* unmanaged<int, void>)set;
            getThreads = (delegate* unmanaged<int>)get;
        }
    }

    /// <summary>True when OpenBLAS is loaded and its thread count can be set.</summary>
    public static bool IsAvailable => setThreads != null;

    /// <summary>OpenBLAS's thread count, or 0 when it is not available.</summary>
    public static int Count => IsAvailable ? getThreads() : 0;

    /// <summary>Sets OpenBLAS's thread count (nothing happens without OpenBLAS); <see cref="torch.set_num_threads"/> calls it.</summary>
    internal static void Set(int count)
    {
        if (IsAvailable && getThreads() != count) setThreads(count);
    }

    /// <summary>Runs OpenBLAS on one thread until the scope is disposed (nothing happens without OpenBLAS).</summary>
    public static Scope SingleThreaded()
    {
        if (!IsAvailable) return default;
        int previous = getThreads();
        if (previous != 1) setThreads(1);
        return new Scope(previous);
    }

    /// <summary>Restores the previous thread count.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int previous;

        internal Scope(int previous) => this.previous = previous;

        public void Dispose()
        {
            if (previous > 1) setThreads(previous);
        }
    }
}
