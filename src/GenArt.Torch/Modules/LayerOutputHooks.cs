namespace GenArt.Torch.Modules;

/// <summary>Adds to the outputs of <see cref="Linear"/> and <see cref="Conv2d"/> layers while it is installed on a
/// thread (per-sample adapter deltas), leaving the layers' own weights untouched.</summary>
public interface ILayerOutputHook
{
    /// <summary>Called after <paramref name="layer"/> computed <paramref name="output"/> from <paramref name="input"/>;
    /// returns the output to use (<paramref name="output"/> itself, changed in place or not, or a new tensor).</summary>
    Tensor Apply(Module layer, Tensor input, Tensor output);
}

/// <summary>
/// The hook of the current thread. Thread-local because one model instance may serve batches on several threads
/// (one per device) and a batch's adapters must reach only its own forward passes.
/// </summary>
public static class LayerOutputHooks
{
    [ThreadStatic] private static ILayerOutputHook? current;

    /// <summary>The hook installed on this thread, or null.</summary>
    public static ILayerOutputHook? Current => current;

    /// <summary>Installs <paramref name="hook"/> on this thread until the returned scope is disposed (scopes nest).</summary>
    public static Scope Use(ILayerOutputHook? hook)
    {
        var previous = current;
        current = hook;
        return new Scope(previous);
    }

    /// <summary>Restores the previous hook.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly ILayerOutputHook? previous;

        internal Scope(ILayerOutputHook? previous) => this.previous = previous;

        public void Dispose() => current = previous;
    }

    internal static Tensor Run(Module layer, Tensor input, Tensor output)
    {
        var hook = current;
        return hook is null ? output : hook.Apply(layer, input, output);
    }
}
