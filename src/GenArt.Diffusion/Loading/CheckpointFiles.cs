using System.Text.Json;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Loading;

/// <summary>Recognising weight files: safetensors is read, anything pickled is refused.</summary>
internal static class CheckpointFiles
{
    private static readonly string[] PickleExtensions = [".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle"];

    /// <summary>Throws when <paramref name="path"/> is a pickle by name, or by content whatever its name:
    /// torch.save writes a zip archive ("PK\x03\x04") or, in its legacy format, a bare pickle (0x80, protocol).</summary>
    public static void RefuseIfPickle(string path)
    {
        if (PickleExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
            throw CheckpointException.Pickle(path);
        Span<byte> head = stackalloc byte[4];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        bool zip = read == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4;
        bool pickle = read >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5;
        if (zip || pickle) throw CheckpointException.Pickle(path);
    }

    /// <summary>
    /// The safetensors files holding a component's weights in a diffusers folder: <c>{stem}.safetensors</c>,
    /// a sharded <c>{stem}.safetensors.index.json</c>, or their <paramref name="variant"/> forms
    /// (<c>{stem}.fp16.safetensors</c>, <c>{stem}.safetensors.index.fp16.json</c>), which come first when asked for.
    /// </summary>
    public static (IReadOnlyList<string> Files, string? Index) ResolveWeights(string folder, string stem, string? variant)
    {
        var tried = new List<string>();
        (IReadOnlyList<string>, string?)? Try(string? suffix)
        {
            string single = Path.Combine(folder, suffix is null ? $"{stem}.safetensors" : $"{stem}.{suffix}.safetensors");
            string index = Path.Combine(folder, suffix is null ? $"{stem}.safetensors.index.json" : $"{stem}.safetensors.index.{suffix}.json");
            tried.Add(Path.GetFileName(single));
            tried.Add(Path.GetFileName(index));
            if (File.Exists(single)) return ([single], null);
            return File.Exists(index) ? (ShardsOf(index), index) : null;
        }

        // A requested variant is preferred; a component that lacks it (often the small ones) uses its plain file.
        var found = Try(variant);
        if (found is null && variant is not null) found = Try(null);
        if (found is null && variant is null)
        {
            // A folder that ships only one variant (say fp16) is still usable; the loader converts dtypes.
            var variants = Directory.Exists(folder)
                ? Directory.GetFiles(folder, $"{stem}.*.safetensors").Where(f => !Path.GetFileName(f).Contains("-of-", StringComparison.Ordinal)).ToList()
                : [];
            if (variants.Count == 1) found = (variants, null);
        }
        if (found is not null) return found.Value;

        var pickled = Directory.Exists(folder)
            ? Directory.GetFiles(folder).Where(f => PickleExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (pickled is not null) throw CheckpointException.Pickle(pickled);
        throw new CheckpointException(folder, $"no weights: looked for {string.Join(", ", tried)}");
    }

    /// <summary>Checks that every tensor a shard index names is in the opened shards.</summary>
    public static void CheckIndex(string index, ITensorSource source)
    {
        foreach (var (name, _) in WeightMap(index))
            if (!source.TryGetShape(name, out _))
                throw new CheckpointException(index, $"the index names tensor '{name}' but no shard holds it");
    }

    private static IReadOnlyList<string> ShardsOf(string index)
    {
        var folder = Path.GetDirectoryName(index)!;
        var shards = WeightMap(index).Select(e => e.File).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(f => Path.Combine(folder, f)).ToList();
        if (shards.Count == 0) throw new CheckpointException(index, "the weight_map is empty");
        foreach (var shard in shards)
        {
            if (!File.Exists(shard)) throw new CheckpointException(index, $"shard '{Path.GetFileName(shard)}' is missing");
            RefuseIfPickle(shard);
        }
        return shards;
    }

    private static List<(string Name, string File)> WeightMap(string index)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(index, "no \"weight_map\" object");
            return map.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.String
                ? (p.Name, p.Value.GetString()!)
                : throw new CheckpointException(index, $"weight_map entry '{p.Name}' is not a file name")).ToList();
        }
        catch (JsonException e)
        {
            throw new CheckpointException(index, $"invalid JSON ({e.Message})", e);
        }
    }
}
