using System.Runtime.InteropServices;
using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

public sealed unsafe partial class Tensor
{
    /// <summary>Copies the elements (in row-major order, from any device) into a new array.</summary>
    public T[] data<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var result = new T[numel()];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements into <paramref name="destination"/>, whose length must equal numel().</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>();
        CopyBytesTo(MemoryMarshal.AsBytes(destination));
    }

    /// <summary>Copies the raw little-endian element bytes into <paramref name="destination"/>.</summary>
    public void CopyBytesTo(Span<byte> destination)
    {
        fixed (byte* p = destination) Check(gat_tensor_copy_to(Handle, p, destination.Length), "copy_to");
    }

    public byte[] bytes()
    {
        var result = new byte[numel() * dtype.ElementSize()];
        CopyBytesTo(result);
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public T item<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(long) || typeof(T) == typeof(int))
        {
            long v;
            Check(gat_tensor_item_long(Handle, &v), "item");
            return typeof(T) == typeof(long) ? (T)(object)v : (T)(object)checked((int)v);
        }
        double d;
        Check(gat_tensor_item(Handle, &d), "item");
        if (typeof(T) == typeof(double)) return (T)(object)d;
        if (typeof(T) == typeof(float)) return (T)(object)(float)d;
        if (typeof(T) == typeof(bool)) return (T)(object)(d != 0);
        if (typeof(T) == typeof(Half)) return (T)(object)(Half)d;
        throw new NotSupportedException($"item<{typeof(T).Name}> is not supported");
    }

    private void CheckElementType<T>() where T : unmanaged
    {
        var want = ScalarTypeExtensions.Of<T>();
        var have = dtype;
        if (want != have)
            throw new ArgumentException($"the tensor holds {have} but {typeof(T).Name} ({want}) was requested; convert with to({want}) first");
    }

    public Tensor to(ScalarType type) => to(device, type);

    public Tensor to(Device target) => to(target, dtype);

    public Tensor to(Device target, ScalarType type, bool copy = false)
    {
        target.EnsureAvailable();
        return From(gat_tensor_to(Handle, (sbyte)type, (int)target.Type, target.Index, copy ? 1 : 0), "to");
    }

    public Tensor cpu() => to(Device.CPU);

    public Tensor cuda(int index = 0) => to(Device.CUDA(index));

    public Tensor clone() => From(gat_tensor_clone(Handle), "clone");

    public Tensor detach() => From(gat_tensor_detach(Handle), "detach");

    /// <summary>Copies <paramref name="source"/> into this tensor in place (broadcasting, converting type and device).</summary>
    public Tensor copy_(Tensor source)
    {
        Check(gat_tensor_copy_(Handle, source.Handle), "copy_");
        return this;
    }

    public Tensor fill_(double value)
    {
        Check(gat_tensor_fill_(Handle, value), "fill_");
        return this;
    }

    public Tensor zero_() => fill_(0);
}
