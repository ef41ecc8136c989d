using System.Text;
using System.Text.Json;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// The keys of a diffusers <c>scheduler_config.json</c>. A key that is absent takes the default of the scheduler
/// being built, as diffusers' <c>from_config</c> does: an SD1 model ships a PNDM config, and building Euler from it
/// gives Euler's own defaults (for example <c>timestep_spacing</c> "linspace") for every key the file lacks.
/// </summary>
public sealed class SchedulerConfig
{
    private readonly Dictionary<string, JsonElement> values;

    private SchedulerConfig(Dictionary<string, JsonElement> values) => this.values = values;

    /// <summary>An empty config: every key takes the scheduler's default.</summary>
    public static SchedulerConfig Empty { get; } = new(new Dictionary<string, JsonElement>());

    public IReadOnlyCollection<string> Keys => values.Keys;

    /// <summary>Parses a scheduler_config.json text. Python writes the floats <c>-Infinity</c>, <c>Infinity</c>
    /// and <c>NaN</c> bare (DPM-Solver's <c>lambda_min_clipped</c>), which strict JSON refuses, so they are
    /// accepted here.</summary>
    public static SchedulerConfig Parse(string json)
    {
        using (var doc = ParsePythonJson(json))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SchedulerConfigException("(file)", "scheduler config must be a JSON object");
            return FromElement(doc.RootElement);
        }
    }

    /// <summary>Parses JSON written by Python's json module, which may hold bare NaN / Infinity / -Infinity; those
    /// become the strings "NaN", "Infinity", "-Infinity" (read back as numbers by <see cref="GetDouble"/>).</summary>
    public static JsonDocument ParsePythonJson(string json)
    {
        try
        {
            return JsonDocument.Parse(QuoteNonFiniteLiterals(json));
        }
        catch (JsonException e)
        {
            throw new SchedulerConfigException("(file)", $"scheduler config is not valid JSON: {e.Message}");
        }
    }

    public static SchedulerConfig Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>A config from a JSON object element (e.g. the "config" member of a larger document).</summary>
    public static SchedulerConfig FromElement(JsonElement obj)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new SchedulerConfigException("(file)", "scheduler config must be a JSON object");
        var dict = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject()) dict[p.Name] = p.Value.Clone();
        return new SchedulerConfig(dict);
    }

    /// <summary>A copy with the given keys replaced (values are anything <see cref="JsonSerializer"/> writes).</summary>
    public SchedulerConfig With(IReadOnlyDictionary<string, object?> overrides)
    {
        var dict = new Dictionary<string, JsonElement>(values, StringComparer.Ordinal);
        foreach (var (k, v) in overrides) dict[k] = JsonSerializer.SerializeToElement(v);
        return new SchedulerConfig(dict);
    }

    public SchedulerConfig With(string key, object? value) => With(new Dictionary<string, object?> { [key] = value });

    public bool Contains(string key) => values.TryGetValue(key, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>The diffusers class the file names in <c>_class_name</c>, or null.</summary>
    public string? ClassName => Contains("_class_name") ? GetString("_class_name", "") : null;

    public int GetInt(string key, int fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
            return (int)d;
        throw new SchedulerConfigException(key, $"must be an integer, got {v.GetRawText()}");
    }

    public double GetDouble(string key, double fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
        if (v.ValueKind == JsonValueKind.String)
        {
            switch (v.GetString())
            {
                case "-Infinity": return double.NegativeInfinity;
                case "Infinity": return double.PositiveInfinity;
                case "NaN": return double.NaN;
            }
        }
        throw new SchedulerConfigException(key, $"must be a number, got {v.GetRawText()}");
    }

    public double? GetNullableDouble(string key) => TryGet(key, out _) ? GetDouble(key, double.NaN) : null;

    public bool GetBool(string key, bool fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new SchedulerConfigException(key, $"must be true or false, got {v.GetRawText()}"),
        };
    }

    public string GetString(string key, string fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new SchedulerConfigException(key, $"must be a string, got {v.GetRawText()}");
    }

    /// <summary>A string key that must be one of <paramref name="allowed"/>.</summary>
    public string GetChoice(string key, string fallback, params string[] allowed)
    {
        string s = GetString(key, fallback);
        if (Array.IndexOf(allowed, s) < 0)
            throw new SchedulerConfigException(key, $"\"{s}\" is not supported; supported: {string.Join(", ", allowed.Select(a => $"\"{a}\""))}");
        return s;
    }

    public double[]? GetDoubleArray(string key)
    {
        if (!TryGet(key, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array)
            throw new SchedulerConfigException(key, $"must be a list of numbers, got {v.GetRawText()}");
        var list = new List<double>();
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number)
                throw new SchedulerConfigException(key, $"must be a list of numbers, got element {e.GetRawText()}");
            list.Add(e.GetDouble());
        }
        return list.ToArray();
    }

    /// <summary>Throws when a boolean feature the port does not implement is switched on.</summary>
    public void RefuseIfTrue(string key, string why)
    {
        if (GetBool(key, false)) throw new SchedulerConfigException(key, $"true is not supported: {why}");
    }

    private bool TryGet(string key, out JsonElement v) =>
        values.TryGetValue(key, out v) && v.ValueKind != JsonValueKind.Null;

    // Wraps bare NaN / Infinity / -Infinity tokens (outside strings) in quotes so System.Text.Json reads them.
    private static string QuoteNonFiniteLiterals(string json)
    {
        var sb = new StringBuilder(json.Length + 16);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < json.Length) sb.Append(json[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') { inString = true; sb.Append(c); continue; }
            string? token = MatchLiteral(json, i);
            if (token is null) { sb.Append(c); continue; }
            sb.Append('"').Append(token).Append('"');
            i += token.Length - 1;
        }
        return sb.ToString();
    }

    private static string? MatchLiteral(string s, int i)
    {
        foreach (var lit in (ReadOnlySpan<string>)["-Infinity", "Infinity", "NaN"])
            if (string.CompareOrdinal(s, i, lit, 0, lit.Length) == 0) return lit;
        return null;
    }
}

/// <summary>A scheduler config key holds a value the scheduler cannot honour.</summary>
public sealed class SchedulerConfigException : ArgumentException
{
    public SchedulerConfigException(string key, string message) : base($"scheduler config '{key}': {message}") => Key = key;

    /// <summary>The offending config key.</summary>
    public string Key { get; }
}
