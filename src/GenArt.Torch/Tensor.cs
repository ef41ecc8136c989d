using GenArt.Torch.Internal;
using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

/// <summary>
/// A handle to a libtorch tensor. Dispose it (or let a <see cref="DisposeScope"/> do so) to release its memory
/// deterministically; the finalizer is only a safety net.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private IntPtr handle;

    [ThreadStatic] private static long createdOnThisThread;

    internal Tensor(IntPtr handle)
    {
        this.handle = handle;
        createdOnThisThread++;
        DisposeScope.Current?.Attach(this);
    }

    /// <summary>Tensor handles created on the calling thread so far: one per op that returns a tensor. Benchmarks
    /// use it to count the native calls of a model's forward pass.</summary>
    public static long CreatedOnThisThread => createdOnThisThread;

    ~Tensor()
    {
        if (handle != IntPtr.Zero) gat_tensor_free(handle);
    }

    internal DisposeScope? Scope { get; set; }

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed");

    public bool IsDisposed => handle == IntPtr.Zero;

    /// <summary>Wraps a handle returned by the native op <paramref name="op"/>, throwing its error when null.</summary>
    internal static Tensor From(IntPtr h, string op) => new(Check(h, op));

    public void Dispose()
    {
        IntPtr h = handle;
        if (h == IntPtr.Zero) return;
        handle = IntPtr.Zero;
        Scope?.Forget(this);
        Scope = null;
        gat_tensor_free(h);
        GC.SuppressFinalize(this);
    }

    /// <summary>Hands this tensor to the scope enclosing its current one (or to no scope), so it outlives it.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        var from = Scope;
        if (from is null) return this;
        from.Forget(this);
        Scope = null;
        from.Outer?.Attach(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Forget(this);
        Scope = null;
        return this;
    }

    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor([{string.Join(", ", shape)}], {dtype}, {device})";
}
