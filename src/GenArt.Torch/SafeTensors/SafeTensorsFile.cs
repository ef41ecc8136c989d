using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace GenArt.Torch.SafeTensors;

/// <summary>
/// A safetensors file opened for reading: the header is parsed and validated whole on open, the file is
/// memory-mapped, and each tensor is read only when asked for, by name.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    private readonly MemoryMappedFile? map;
    private readonly MemoryMappedViewAccessor? view;
    private readonly byte* basePtr;
    private readonly long dataStart;
    private readonly Dictionary<string, TensorInfo> tensors;
    private bool disposed;

    private SafeTensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr, long dataStart,
        Dictionary<string, TensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        this.map = map;
        this.view = view;
        this.basePtr = basePtr;
        this.dataStart = dataStart;
        this.tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyCollection<string> Names => tensors.Keys;

    public IEnumerable<TensorInfo> Tensors => tensors.Values;

    public int Count => tensors.Count;

    public bool Contains(string name) => tensors.ContainsKey(name);

    public TensorInfo Info(string name) =>
        tensors.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");

    public static SafeTensorsFile Open(string path)
    {
        var fileInfo = new FileInfo(path);
        if (!fileInfo.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        long fileLength = fileInfo.Length;
        if (fileLength < 8)
            throw new SafeTensorsException(path, "file-too-small", $"the file has {fileLength} bytes; a safetensors file starts with an 8-byte header length");

        Span<byte> prefix = stackalloc byte[8];
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            fs.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafeTensorsHeader.MaxHeaderBytes)
            throw new SafeTensorsException(path, "header-too-large", $"the header declares {headerLength} bytes, over the 100 MB limit");
        if ((long)headerLength > fileLength - 8)
            throw new SafeTensorsException(path, "header-out-of-bounds", $"the header declares {headerLength} bytes but only {fileLength - 8} follow");

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
            byte* ptr = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            ptr += view.PointerOffset;
            long dataStart = 8 + (long)headerLength;
            var header = new ReadOnlySpan<byte>(ptr + 8, (int)headerLength);
            var (tensors, metadata) = SafeTensorsHeader.Parse(path, header, fileLength - dataStart);
            return new SafeTensorsFile(path, map, view, ptr, dataStart, tensors, metadata);
        }
        catch
        {
            if (view is not null)
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                view.Dispose();
            }
            map.Dispose();
            throw;
        }
    }

    /// <summary>The tensor's raw little-endian bytes, straight from the mapping (valid until Dispose).</summary>
    public ReadOnlySpan<byte> Bytes(string name)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var info = Info(name);
        return Span(info);
    }

    private ReadOnlySpan<byte> Span(TensorInfo info)
    {
        if (info.ByteLength > int.MaxValue)
            throw new SafeTensorsException(Path, "tensor-too-large", $"'{info.Name}' has {info.ByteLength} bytes; tensors over 2 GB are not supported");
        return new ReadOnlySpan<byte>(basePtr + dataStart + info.Begin, (int)info.ByteLength);
    }

    /// <summary>Reads one tensor into a new libtorch tensor, converting to <paramref name="dtype"/> and moving to
    /// <paramref name="device"/> when given.</summary>
    public Tensor Load(string name, Device? device = null, ScalarType? dtype = null)
    {
        var info = Info(name);
        var t = torch.from_bytes(Span(info), info.Shape, info.DType);
        ReleasePages(info);
        var targetDevice = device ?? Device.CPU;
        var targetType = dtype ?? info.DType;
        if (targetDevice == Device.CPU && targetType == info.DType) return t;
        using (t) return t.to(targetDevice, targetType);
    }

    /// <summary>
    /// Drops this process's mapping of the tensor's pages once they are copied out, so that loading a model does
    /// not hold the whole file resident beside the weights (the pages stay in the page cache and are read back if
    /// the tensor is asked for again).
    /// </summary>
    private void ReleasePages(TensorInfo info)
    {
        long page = Environment.SystemPageSize;
        long start = (long)(basePtr + dataStart + info.Begin);
        long end = (long)(basePtr + dataStart + info.End);
        long alignedStart = start / page * page;
        if (end - alignedStart < page) return;
        // MADV_DONTNEED on a private read-only file mapping only unmaps: it cannot lose data.
        _ = madvise((IntPtr)alignedStart, (nuint)(end - alignedStart), MadvDontNeed);
    }

    private const int MadvDontNeed = 4;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int madvise(IntPtr addr, nuint length, int advice);

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (view is not null)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
        }
        map?.Dispose();
    }
}
