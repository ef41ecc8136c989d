namespace GenArt.Torch.Modules;

/// <summary>
/// A layer or model with named parameters and sub-modules, as torch.nn.Module: names join with dots
/// ("down_blocks.0.resnets.1.conv1.weight") and equal the checkpoint keys, so loading is a lookup.
/// Parameters are owned by the module (never by a dispose scope) and released by <see cref="Dispose"/>.
/// </summary>
public abstract partial class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor?>> parameters = [];
    private protected IReadOnlyList<KeyValuePair<string, Tensor?>> OwnParameters => parameters;
    private readonly List<KeyValuePair<string, Module>> children = [];
    private bool disposed;

    /// <summary>True while training: layers such as dropout behave accordingly.</summary>
    public bool Training { get; private set; }

    protected T Register<T>(string name, T module) where T : Module
    {
        CheckName(name);
        children.Add(new(name, module));
        return module;
    }

    /// <summary>Registers a parameter slot; an absent optional parameter (a bias switched off) is null.</summary>
    protected Tensor? RegisterParameter(string name, Tensor? value)
    {
        CheckName(name);
        value?.DetachFromDisposeScope();
        parameters.Add(new(name, value));
        return value;
    }

    /// <summary>The parameter <paramref name="name"/> of this module (not of its children).</summary>
    protected Tensor? Parameter(string name)
    {
        foreach (var (n, t) in parameters)
            if (n == name) return t;
        throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'");
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid module or parameter name", nameof(name));
        if (parameters.Any(p => p.Key == name) || children.Any(c => c.Key == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'", nameof(name));
    }

    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => children;

    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(string prefix = "")
    {
        foreach (var (name, t) in parameters)
            if (t is not null) yield return new(prefix + name, t);
        foreach (var (name, child) in children)
            foreach (var p in child.NamedParameters(prefix + name + "."))
                yield return p;
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    public IEnumerable<KeyValuePair<string, Module>> NamedModules(string prefix = "")
    {
        yield return new(prefix, this);
        foreach (var (name, child) in children)
            foreach (var m in child.NamedModules(prefix.Length == 0 ? name : prefix + "." + name))
                yield return m;
    }

    public long ParameterCount() => Parameters().Sum(p => p.numel());

    public void Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = training;
    }

    public void Eval() => Train(false);

    public void RequiresGrad(bool value)
    {
        foreach (var p in Parameters()) p.requires_grad = value;
    }

    /// <summary>Moves and converts every parameter (replacing the tensors).</summary>
    public void To(Device device, ScalarType dtype)
    {
        device.EnsureAvailable();
        for (int i = 0; i < parameters.Count; i++)
        {
            var (name, t) = parameters[i];
            if (t is null || (t.device == device && t.dtype == dtype)) continue;
            var moved = t.to(device, dtype).DetachFromDisposeScope();
            t.Dispose();
            parameters[i] = new(name, moved);
        }
        foreach (var (_, child) in children) child.To(device, dtype);
    }

    /// <summary>Replaces the parameter slot <paramref name="name"/> of this module.</summary>
    internal void ReplaceParameter(string name, Tensor value)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Key != name) continue;
            parameters[i].Value?.Dispose();
            value.DetachFromDisposeScope();
            parameters[i] = new(name, value);
            return;
        }
        throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'");
    }

    /// <summary>Re-initialises every parameter from <paramref name="generator"/> (training from scratch).</summary>
    public virtual void ResetParameters(Generator generator)
    {
        foreach (var (_, child) in children) child.ResetParameters(generator);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var (_, t) in parameters) t?.Dispose();
        foreach (var (_, child) in children) child.Dispose();
        GC.SuppressFinalize(this);
    }
}
