namespace GenArt.Torch;

/// <summary>Device kinds, numbered as libtorch's c10::DeviceType.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>Where a tensor lives: <c>cpu</c> or <c>cuda:N</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index)
{
    public static readonly Device CPU = new(DeviceType.CPU, -1);

    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; CUDA devices are checked against what this
    /// libtorch build and machine provide, so a bad device fails here with a clear message.</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (s.Length > 4 && !int.TryParse(s.AsSpan(5), out index))
                throw new ArgumentException($"device '{text}': the index after 'cuda:' must be a number", nameof(text));
            var device = CUDA(index);
            device.EnsureAvailable();
            return device;
        }
        throw new ArgumentException($"device '{text}' is not one of cpu, cuda, cuda:N", nameof(text));
    }

    /// <summary>Throws unless this device can hold tensors in this process.</summary>
    public void EnsureAvailable()
    {
        if (Type == DeviceType.CPU) return;
        if (!torch.cuda.is_available())
            throw new TorchException("device", $"{this} was requested but this libtorch ({torch.version}) has no CUDA support or no GPU is visible");
        int count = torch.cuda.device_count();
        if (Index < 0 || Index >= count)
            throw new TorchException("device", $"{this} was requested but only {count} CUDA device(s) are visible");
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : $"cuda:{Index}";
}
