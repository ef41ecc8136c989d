using System.Text.Json;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>
/// Typed reads of a diffusers config.json object. Every field read is recorded so that
/// <see cref="RejectUnknown"/> can fail on fields this engine does not know (a newer diffusers option would
/// otherwise be silently ignored and give wrong outputs).
/// </summary>
internal sealed class ConfigReader
{
    private readonly JsonElement root;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    private ConfigReader(JsonElement root) => this.root = root;

    public static T Parse<T>(string json, Func<ConfigReader, T> build)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ModelConfigException("(document)", "not valid JSON: " + e.Message);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelConfigException("(document)", "the config must be a JSON object");
            var reader = new ConfigReader(doc.RootElement);
            return build(reader);
        }
    }

    private bool TryGet(string name, out JsonElement value)
    {
        read.Add(name);
        if (root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null) return true;
        value = default;
        return false;
    }

    /// <summary>Whether the field is present with a non-null value (marks it as known).</summary>
    public bool Has(string name) => TryGet(name, out _);

    /// <summary>Whether the field is present at all, null included (marks it as known).</summary>
    public bool IsPresent(string name)
    {
        read.Add(name);
        return root.TryGetProperty(name, out _);
    }

    public int Int(string name, int fallback) => TryGet(name, out var v) ? ToInt(name, v) : fallback;

    public int? NullableInt(string name) => TryGet(name, out var v) ? ToInt(name, v) : null;

    public double Double(string name, double fallback) => TryGet(name, out var v) ? ToDouble(name, v) : fallback;

    public double? NullableDouble(string name) => TryGet(name, out var v) ? ToDouble(name, v) : null;

    public bool Bool(string name, bool fallback)
    {
        if (!TryGet(name, out var v)) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelConfigException(name, $"expected true or false, got {v.GetRawText()}"),
        };
    }

    public string? String(string name, string? fallback)
    {
        if (!TryGet(name, out var v)) return fallback;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new ModelConfigException(name, $"expected a string, got {v.GetRawText()}");
    }

    public string[]? StringList(string name)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new ModelConfigException(name, $"expected a list of strings, got {v.GetRawText()}");
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new ModelConfigException(name, $"expected a list of strings, got {v.GetRawText()}")).ToArray();
    }

    public int[]? IntList(string name)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new ModelConfigException(name, $"expected a list of integers, got {v.GetRawText()}");
        return v.EnumerateArray().Select(e => ToInt(name, e)).ToArray();
    }

    public double[]? DoubleList(string name)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new ModelConfigException(name, $"expected a list of numbers, got {v.GetRawText()}");
        return v.EnumerateArray().Select(e => ToDouble(name, e)).ToArray();
    }

    /// <summary>An integer or a list of integers (diffusers' per-block options); an integer becomes a
    /// one-element array, meaning "the same for every block".</summary>
    public int[]? IntOrList(string name)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number) return [ToInt(name, v)];
        if (v.ValueKind != JsonValueKind.Array) throw new ModelConfigException(name, $"expected an integer or a list of integers, got {v.GetRawText()}");
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array
            ? throw new ModelConfigException(name, "nested per-layer lists are not supported")
            : ToInt(name, e)).ToArray();
    }

    /// <summary>A boolean or a list of booleans; a single value becomes a one-element array.</summary>
    public bool[]? BoolOrList(string name)
    {
        if (!TryGet(name, out var v)) return null;
        static bool One(string name, JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelConfigException(name, $"expected a boolean, got {e.GetRawText()}"),
        };
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => One(name, e)).ToArray() : [One(name, v)];
    }

    /// <summary>A field for a feature this engine does not implement: it must be absent or null.</summary>
    public void RequireNull(string name, string feature)
    {
        if (TryGet(name, out var v))
            throw new ModelConfigException(name, $"{feature} is not supported (got {v.GetRawText()}; only null is)");
    }

    /// <summary>Fails on any field that was never read (names starting with '_' are diffusers metadata).</summary>
    public void RejectUnknown(string model)
    {
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name.StartsWith('_') || read.Contains(p.Name)) continue;
            throw new ModelConfigException(p.Name, $"unknown {model} option (not implemented by this engine)");
        }
    }

    private static int ToInt(string name, JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt32(out int i)) return i;
            // diffusers writes some integers as floats (e.g. 1.0); accept only whole values
            double d = v.GetDouble();
            if (d == Math.Floor(d) && Math.Abs(d) < int.MaxValue) return (int)d;
        }
        throw new ModelConfigException(name, $"expected an integer, got {v.GetRawText()}");
    }

    private static double ToDouble(string name, JsonElement v) =>
        v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new ModelConfigException(name, $"expected a number, got {v.GetRawText()}");
}
