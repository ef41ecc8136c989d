using System.Text.Json;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Adapters;

/// <summary>
/// Reads LoRA adapter files (kohya, diffusers or PEFT layout, safetensors only) and validates them against a base
/// model: every target exists with fitting shapes, every key is understood. <see cref="Inspect"/> reads only the
/// header and the alphas, so a front end can validate uploads without the model's weights;
/// <see cref="Load"/> returns the tensors for the adapter cache.
/// </summary>
public static class LoraAdapterFile
{
    /// <summary>Validates <paramref name="path"/> against <paramref name="shapes"/> and summarises it.</summary>
    /// <exception cref="LoraFormatException">The file is a pickle, corrupt, or does not fit the base model.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static LoraSummary Inspect(string path, BaseModelShapes shapes)
    {
        using var file = Open(path);
        return Validate(file, shapes);
    }

    /// <summary>Validates the file and reads its layers as <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    /// <param name="id">Names the adapter (the worker uses the file's sha256); the file name when null.</param>
    public static LoraAdapter Load(string path, BaseModelShapes shapes, Device? device = null, ScalarType dtype = ScalarType.Float32, string? id = null)
    {
        using var file = Open(path);
        var summary = Validate(file, shapes);
        var target = device ?? Device.CPU;
        var layers = new List<LoraLayerWeights>(summary.Targets.Count);
        try
        {
            foreach (var t in summary.Targets)
            {
                using var scope = torch.NewDisposeScope();
                var down = file.Load(t.DownKey, target, dtype);
                var up = file.Load(t.UpKey, target, dtype);
                // down: [r, in] for Linear, [r, in, kh, kw] for Conv2d; up: always [out, r]
                if (t.Kind == LoraLayerKind.Linear && down.ndim == 4) down = down.reshape(t.Rank, -1);
                if (t.Kind == LoraLayerKind.Conv2d && down.ndim == 2) down = down.reshape(t.Rank, down.size(1), 1, 1);
                up = up.reshape(up.size(0), t.Rank);
                layers.Add(new LoraLayerWeights(t, down.contiguous().DetachFromDisposeScope(), up.contiguous().DetachFromDisposeScope()));
            }
        }
        catch
        {
            foreach (var l in layers) l.Dispose();
            throw;
        }
        return new LoraAdapter(id ?? Path.GetFileNameWithoutExtension(path), summary, layers);
    }

    /// <summary>Refuses pickles by their first bytes and opens the safetensors file.</summary>
    private static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such adapter file", path);
        Span<byte> head = stackalloc byte[4];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        // torch.save writes a zip archive ("PK\x03\x04"); its legacy format and plain pickles start with PROTO (0x80, 2..5)
        bool zip = read == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4;
        bool pickle = read >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5;
        if (zip || pickle)
            throw new LoraFormatException(path, "pickle files are not accepted (loading them can run code): convert the adapter to .safetensors");
        try
        {
            return SafeTensorsFile.Open(path);
        }
        catch (SafeTensorsException e)
        {
            throw new LoraFormatException(path, "not a valid safetensors file: " + e.Message, null, e);
        }
    }

    private sealed class Layer(LoraComponent component, string module)
    {
        public LoraComponent Component { get; } = component;
        public string Module { get; } = module;
        public LoraKey? Down { get; set; }
        public LoraKey? Up { get; set; }
        public LoraKey? Alpha { get; set; }
        public IEnumerable<string> Keys => new[] { Down, Up, Alpha }.Where(k => k is not null).Select(k => k!.Value.Key);
    }

    private static LoraSummary Validate(SafeTensorsFile file, BaseModelShapes shapes)
    {
        string path = file.Path;
        if (file.Count == 0) throw new LoraFormatException(path, "the file holds no tensors");

        // 1. Every key must be of a known layout, and of one layout only.
        var parsed = new List<LoraKey>();
        var unknown = new List<string>();
        foreach (var name in file.Names.Order(StringComparer.Ordinal))
        {
            if (LoraKeys.Classify(name) is { } key) parsed.Add(key);
            else unknown.Add(name);
        }
        if (unknown.Count > 0)
            throw new LoraFormatException(path, "keys of no known LoRA layout (kohya lora_unet_*/lora_te_* with lora_down/lora_up/alpha; " +
                "diffusers unet.*/text_encoder.* or PEFT base_model.model.* with lora_A/lora_B)", unknown);
        var formats = parsed.Select(k => k.Format).Distinct().ToList();
        if (formats.Count > 1)
            throw new LoraFormatException(path, $"keys of more than one layout ({string.Join(", ", formats)}) in one file",
                formats.Select(f => parsed.First(k => k.Format == f).Key).ToList());
        var format = formats[0];

        // 2. Resolve each key's module against the base model.
        var underscored = new Dictionary<(LoraComponent, string), string?>();
        if (format == LoraFormat.Kohya)
        {
            foreach (var component in new[] { LoraComponent.Unet, LoraComponent.TextEncoder })
                foreach (var module in shapes.Of(component).Keys)
                {
                    var k = (component, module.Replace('.', '_'));
                    underscored[k] = underscored.ContainsKey(k) ? null : module; // null: two modules collide
                }
        }
        var layers = new Dictionary<(LoraComponent, string), Layer>();
        var missing = new List<string>();
        var duplicated = new List<string>();
        foreach (var key in parsed)
        {
            string? module = key.Module;
            if (format == LoraFormat.Kohya)
                module = underscored.TryGetValue((key.Component, key.Module), out var m) ? m : null;
            if (module is null || !shapes.Of(key.Component).ContainsKey(module))
            {
                missing.Add(key.Key);
                continue;
            }
            if (!layers.TryGetValue((key.Component, module), out var layer))
                layers[(key.Component, module)] = layer = new Layer(key.Component, module);
            switch (key.Role)
            {
                case LoraRole.Down when layer.Down is null: layer.Down = key; break;
                case LoraRole.Up when layer.Up is null: layer.Up = key; break;
                case LoraRole.Alpha when layer.Alpha is null: layer.Alpha = key; break;
                default: duplicated.Add(key.Key); break;
            }
        }
        if (missing.Count > 0)
            throw new LoraFormatException(path, "targets that the base model does not have (no Linear or Conv2d layer of that name)", missing);
        if (duplicated.Count > 0)
            throw new LoraFormatException(path, "more than one key for the same part of a layer", duplicated);
        var incomplete = layers.Values.Where(l => l.Down is null || l.Up is null).SelectMany(l => l.Keys).ToList();
        if (incomplete.Count > 0)
            throw new LoraFormatException(path, "layers without both their down (lora_down/lora_A) and up (lora_up/lora_B) weights", incomplete);

        // 3. Shapes, dtypes and alphas.
        var metadata = AdapterMetadata.Read(file, format);
        var targets = new List<LoraTarget>();
        var badShapes = new List<string>();
        string? firstShapeProblem = null;
        var badAlpha = new List<string>();
        foreach (var layer in layers.Values.OrderBy(l => l.Component).ThenBy(l => l.Module, StringComparer.Ordinal))
        {
            var baseShape = shapes.Of(layer.Component)[layer.Module];
            var down = file.Info(layer.Down!.Value.Key);
            var up = file.Info(layer.Up!.Value.Key);
            var problem = CheckShapes(baseShape, down, up, out var kind);
            if (problem is null && !IsFloat(down.DType)) problem = $"'{down.Name}' is {down.DType}, not a floating-point type";
            if (problem is null && !IsFloat(up.DType)) problem = $"'{up.Name}' is {up.DType}, not a floating-point type";
            if (problem is not null)
            {
                firstShapeProblem ??= problem;
                badShapes.Add(down.Name);
                badShapes.Add(up.Name);
                continue;
            }
            int rank = (int)down.Shape[0];
            double alpha;
            if (layer.Alpha is { } alphaKey)
            {
                var info = file.Info(alphaKey.Key);
                if (info.ElementCount != 1 || !IsFloat(info.DType) && info.DType is not (ScalarType.Int64 or ScalarType.Int32))
                {
                    badAlpha.Add(alphaKey.Key);
                    continue;
                }
                using var t = file.Load(alphaKey.Key, Device.CPU, ScalarType.Float64);
                alpha = t.reshape(1).item<double>();
            }
            else
            {
                alpha = metadata.AlphaOf(layer.Component, layer.Module) ?? rank;
                if (metadata.RankOf(layer.Component, layer.Module) is int declared && declared != rank)
                {
                    firstShapeProblem ??= $"'{down.Name}' has rank {rank} but the file's lora_adapter_metadata declares r = {declared}";
                    badShapes.Add(down.Name);
                    continue;
                }
            }
            if (!double.IsFinite(alpha) || alpha <= 0)
            {
                badAlpha.Add(layer.Alpha?.Key ?? down.Name);
                continue;
            }
            targets.Add(new LoraTarget(layer.Component, layer.Module, kind, rank, alpha, down.Name, up.Name, baseShape));
        }
        if (badShapes.Count > 0)
            throw new LoraFormatException(path, "shapes do not fit the base model: " + firstShapeProblem, badShapes);
        if (badAlpha.Count > 0)
            throw new LoraFormatException(path, "alpha must be one finite number > 0", badAlpha);

        int maxRank = targets.Max(t => t.Rank);
        double commonAlpha = targets.GroupBy(t => t.Alpha).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
        return new LoraSummary(format, maxRank, commonAlpha, targets);
    }

    private static bool IsFloat(ScalarType t) => t is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64;

    /// <summary>Null when down and up fit the base weight; else what is wrong.</summary>
    private static string? CheckShapes(long[] baseShape, TensorInfo down, TensorInfo up, out LoraLayerKind kind)
    {
        string S(long[] s) => $"[{string.Join(", ", s)}]";
        long outDim = baseShape[0], inDim = baseShape[1];
        kind = baseShape.Length == 2 ? LoraLayerKind.Linear : LoraLayerKind.Conv2d;
        var d = down.Shape;
        var u = up.Shape;
        if (d.Length is not (2 or 4) || d[0] <= 0)
            return $"'{down.Name}' has shape {S(d)}; down must be [r, in] or [r, in, kh, kw] with r > 0";
        long r = d[0];
        bool unitKernel = kind == LoraLayerKind.Linear || baseShape[2] == 1 && baseShape[3] == 1;
        bool downFits = d[1] == inDim && (d.Length == 2
            ? unitKernel
            : kind == LoraLayerKind.Conv2d ? d[2] == baseShape[2] && d[3] == baseShape[3] : d[2] == 1 && d[3] == 1);
        if (!downFits)
        {
            string want = kind == LoraLayerKind.Linear ? $"[r, {inDim}]" : $"[r, {inDim}, {baseShape[2]}, {baseShape[3]}]";
            return $"'{down.Name}' has shape {S(d)} but base layer {S(baseShape)} needs down {want}";
        }
        bool upFits = u.Length is 2 or 4 && u[0] == outDim && u[1] == r && (u.Length == 2 || u[2] == 1 && u[3] == 1);
        if (!upFits)
            return $"'{up.Name}' has shape {S(u)} but base layer {S(baseShape)} with rank {r} needs up [{outDim}, {r}] or [{outDim}, {r}, 1, 1]";
        return null;
    }

    /// <summary>The alphas and ranks in diffusers' <c>lora_adapter_metadata</c> header entry (PEFT's LoraConfig fields,
    /// prefixed <c>unet.</c> / <c>text_encoder.</c>), if the file has one.</summary>
    private sealed class AdapterMetadata
    {
        private readonly Dictionary<string, JsonElement> fields = new(StringComparer.Ordinal);
        private readonly LoraFormat format;

        private AdapterMetadata(LoraFormat format) => this.format = format;

        public static AdapterMetadata Read(SafeTensorsFile file, LoraFormat format)
        {
            var m = new AdapterMetadata(format);
            if (format == LoraFormat.Kohya || !file.Metadata.TryGetValue("lora_adapter_metadata", out var json)) return m;
            try
            {
                using var doc = JsonDocument.Parse(json);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new LoraFormatException(file.Path, "the lora_adapter_metadata header entry is not a JSON object");
                foreach (var p in doc.RootElement.EnumerateObject()) m.fields[p.Name] = p.Value.Clone();
            }
            catch (JsonException e)
            {
                throw new LoraFormatException(file.Path, $"the lora_adapter_metadata header entry is not valid JSON ({e.Message})", null, e);
            }
            return m;
        }

        private string Prefix(LoraComponent c) => format == LoraFormat.Peft ? "" : c == LoraComponent.Unet ? "unet." : "text_encoder.";

        public double? AlphaOf(LoraComponent c, string module) =>
            Pattern(c, "alpha_pattern", module) ?? Number(Prefix(c) + "lora_alpha");

        public int? RankOf(LoraComponent c, string module) =>
            (int?)(Pattern(c, "rank_pattern", module) ?? Number(Prefix(c) + "r"));

        private double? Number(string name) =>
            fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

        // PEFT matches a pattern key against the end of the module path, at a dot boundary
        private double? Pattern(LoraComponent c, string field, string module)
        {
            if (!fields.TryGetValue(Prefix(c) + field, out var map) || map.ValueKind != JsonValueKind.Object) return null;
            foreach (var p in map.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number && (module == p.Name || module.EndsWith("." + p.Name, StringComparison.Ordinal)))
                    return p.Value.GetDouble();
            return null;
        }
    }
}
