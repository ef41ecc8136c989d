namespace GenArt.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and disposes those still
/// owned when it closes. A result that must outlive the scope is moved out with
/// <see cref="Tensor.MoveToOuterDisposeScope"/> (or detached with <see cref="Tensor.DetachFromDisposeScope"/>).
/// </summary>
/// <remarks>
/// Scopes are per thread and must close in the reverse order of opening; do not hold one across an await
/// (the continuation may run on another thread). One scope per denoising step keeps a step's temporaries from
/// ever reaching the finalizer.
/// </remarks>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly HashSet<Tensor> owned = new(ReferenceEqualityComparer.Instance);
    private readonly DisposeScope? outer;
    private bool closed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    internal static DisposeScope? Current => current;

    /// <summary>The scope this one was opened inside, or null.</summary>
    public DisposeScope? Outer => outer;

    /// <summary>Number of tensors this scope will dispose when it closes.</summary>
    public int Count => owned.Count;

    internal void Attach(Tensor t)
    {
        owned.Add(t);
        t.Scope = this;
    }

    internal void Forget(Tensor t) => owned.Remove(t);

    /// <summary>Moves tensors to the enclosing scope (or out of any scope) so that they survive this one.</summary>
    public void MoveToOuter(params Tensor[] tensors)
    {
        foreach (var t in tensors) t.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        if (closed) return;
        if (!ReferenceEquals(current, this))
            throw new InvalidOperationException("dispose scopes must be closed in the reverse order of opening, on the thread that opened them");
        closed = true;
        current = outer;
        foreach (var t in owned)
        {
            t.Scope = null;
            t.Dispose();
        }
        owned.Clear();
    }
}
