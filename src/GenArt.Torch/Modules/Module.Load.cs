namespace GenArt.Torch.Modules;

public abstract partial class Module
{
    /// <summary>
    /// Loads every parameter from <paramref name="source"/> by name (prefixed with <paramref name="prefix"/>),
    /// converted to <paramref name="dtype"/> on <paramref name="device"/>. Every name and shape is checked before
    /// any tensor is read: the first missing or mismatched key fails with both shapes; with
    /// <paramref name="strict"/>, keys under the prefix that the model does not have fail too.
    /// </summary>
    public void Load(ITensorSource source, ScalarType dtype = ScalarType.Float32, Device? device = null, string prefix = "", bool strict = true)
    {
        var target = device ?? Device.CPU;
        var slots = new List<(Module Owner, string Local, string Key, long[] Shape)>();
        foreach (var (path, module) in NamedModules())
        {
            foreach (var (local, t) in module.OwnParameters)
            {
                if (t is null) continue;
                string key = prefix + (path.Length == 0 ? local : path + "." + local);
                slots.Add((module, local, key, t.shape));
            }
        }

        foreach (var (_, _, key, shape) in slots)
        {
            if (!source.TryGetShape(key, out var have))
                throw new InvalidDataException($"{source.Description}: missing key '{key}' (the model expects shape [{string.Join(", ", shape)}])");
            if (!have.SequenceEqual(shape))
                throw new InvalidDataException($"{source.Description}: key '{key}' has shape [{string.Join(", ", have)}] but the model expects [{string.Join(", ", shape)}]");
        }
        if (strict)
        {
            var known = slots.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
            var extra = source.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !known.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
            if (extra.Count > 0)
                throw new InvalidDataException($"{source.Description}: {extra.Count} key(s) the model does not have: {string.Join(", ", extra.Take(10))}{(extra.Count > 10 ? ", ..." : "")}");
        }

        foreach (var (owner, local, key, _) in slots)
            owner.ReplaceParameter(local, source.Load(key, dtype, target));
    }

    /// <summary>Every parameter by its full name (tensors are the module's own: do not dispose them).</summary>
    public Dictionary<string, Tensor> StateDict() => NamedParameters().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
