namespace GenArt.Torch.Internal;

/// <summary>Holds a native thread-bound mode guard and releases it once, on the thread that took it.</summary>
internal sealed class ModeGuard(IntPtr guard, Action<IntPtr> exit) : IDisposable
{
    private readonly int threadId = Environment.CurrentManagedThreadId;
    private IntPtr guard = guard;

    public void Dispose()
    {
        if (guard == IntPtr.Zero) return;
        if (Environment.CurrentManagedThreadId != threadId)
            throw new InvalidOperationException("a no_grad/inference_mode guard must be released on the thread that entered it");
        exit(guard);
        guard = IntPtr.Zero;
    }
}
