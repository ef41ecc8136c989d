namespace GenArt.Torch;

/// <summary>A libtorch operation failed. <see cref="Op"/> names the operation, <see cref="NativeMessage"/> is
/// libtorch's own message (without its C++ backtrace).</summary>
public sealed class TorchException : Exception
{
    public TorchException(string op, string nativeMessage)
        : base($"{op} failed: {nativeMessage}")
    {
        Op = op;
        NativeMessage = nativeMessage;
    }

    public string Op { get; }

    public string NativeMessage { get; }
}
