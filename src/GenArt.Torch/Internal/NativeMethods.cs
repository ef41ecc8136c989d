using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

/// <summary>P/Invoke declarations of the native shim, one partial file per native area (native/*.h).</summary>
/// <remarks>
/// Every export catches its C++ exceptions; a failure is signalled by a null handle or a negative status, and
/// the message waits in a thread-local slot that <see cref="Check(IntPtr, string)"/> collects and frees.
/// </remarks>
internal static partial class NativeMethods
{
    internal const string Lib = "genart_torch";

    internal static IntPtr Check(IntPtr handle, string op)
    {
        if (handle == IntPtr.Zero) throw TakeError(op);
        return handle;
    }

    internal static int Check(int status, string op)
    {
        if (status < 0) throw TakeError(op);
        return status;
    }

    internal static long Check(long value, string op)
    {
        if (value < 0) throw TakeError(op);
        return value;
    }

    /// <summary>Builds the exception for the failed call <paramref name="op"/> from the pending native error.</summary>
    internal static TorchException TakeError(string op)
    {
        IntPtr message = gat_error_take();
        if (message == IntPtr.Zero)
            return new TorchException(op, "the native call failed without reporting an error");
        try
        {
            return new TorchException(op, Marshal.PtrToStringUTF8(message) ?? string.Empty);
        }
        finally
        {
            gat_error_free(message);
        }
    }

    /// <summary>True when the calling thread has an uncollected native error (used after calls that may legitimately return null).</summary>
    internal static void ThrowIfPending(string op)
    {
        IntPtr message = gat_error_take();
        if (message == IntPtr.Zero) return;
        try
        {
            throw new TorchException(op, Marshal.PtrToStringUTF8(message) ?? string.Empty);
        }
        finally
        {
            gat_error_free(message);
        }
    }
}
