using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

/// <summary>A seeded CPU random generator (libtorch's Mersenne Twister): the same seed gives the same numbers
/// as <c>torch.Generator().manual_seed(seed)</c> in PyTorch, on every machine.</summary>
public sealed class Generator : IDisposable
{
    private IntPtr handle;

    public Generator(ulong seed)
    {
        handle = Check(gat_generator_new(seed), "generator");
        Seed = seed;
    }

    ~Generator()
    {
        if (handle != IntPtr.Zero) gat_generator_free(handle);
    }

    public ulong Seed { get; private set; }

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Generator));

    public Generator manual_seed(ulong seed)
    {
        Check(gat_generator_set_seed(Handle, seed), "manual_seed");
        Seed = seed;
        return this;
    }

    public void Dispose()
    {
        if (handle == IntPtr.Zero) return;
        gat_generator_free(handle);
        handle = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }
}
