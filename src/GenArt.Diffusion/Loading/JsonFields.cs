using System.Text.Json;

namespace GenArt.Diffusion.Loading;

/// <summary>Typed reads of optional config fields; a field of the wrong type fails naming the file and field.</summary>
internal readonly struct JsonFields(JsonElement root, string source)
{
    /// <summary>Parses <paramref name="json"/> and hands its root object to <paramref name="read"/>; a document that
    /// is not JSON, or not an object, fails naming <paramref name="source"/>.</summary>
    public static T ReadObject<T>(string json, string source, Func<JsonElement, T> read)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: invalid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: the config must be a JSON object");
            return read(doc.RootElement);
        }
    }

    public int Int(string name, int fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int v))
            throw Bad(name, "an integer", e);
        return v;
    }

    public double Double(string name, double fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        if (e.ValueKind != JsonValueKind.Number) throw Bad(name, "a number", e);
        return e.GetDouble();
    }

    public string String(string name, string fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        if (e.ValueKind != JsonValueKind.String) throw Bad(name, "a string", e);
        return e.GetString()!;
    }

    // An explicit null counts as absent, as in diffusers' and transformers' configs.
    private bool TryGet(string name, out JsonElement e) =>
        root.TryGetProperty(name, out e) && e.ValueKind != JsonValueKind.Null;

    private InvalidDataException Bad(string name, string expected, JsonElement e) =>
        new($"{source}: {name} must be {expected} (got {e.GetRawText()})");
}
