using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Tests.Models.TextEncoder;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Loading;

/// <summary>The goldens' diffusers folder and single file, and scratch files derived from them.</summary>
internal static class LoadingFixtures
{
    public static string Pipeline => GoldenFiles.Golden("pipeline");

    public static string SingleFile => GoldenFiles.Golden("single_file", "tiny_sd_single_file.safetensors");

    public static string Vocab => GoldenFiles.Tokenizer("bpe_simple_vocab_16e6.txt.gz");

    /// <summary>What the tiny golden models need beyond their shapes: 16 groups and 128 px images.</summary>
    public static CheckpointOptions TinyOptions => new() { TokenizerPath = Vocab, NormNumGroups = 16, ImageSize = 128 };

    public static Dictionary<string, Tensor> ReadAll(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return file.Names.ToDictionary(n => n, n => file.Load(n), StringComparer.Ordinal);
    }

    public static void DisposeAll(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors) t.Dispose();
    }

    /// <summary>Writes the tiny single file plus <paramref name="extra"/> tensors, without <paramref name="drop"/>.</summary>
    public static void WriteSingleFile(string path, IReadOnlyDictionary<string, Tensor> extra, params string[] drop)
    {
        var tensors = ReadAll(SingleFile);
        try
        {
            foreach (var (name, t) in extra) tensors[name] = t;
            var kept = tensors.Where(kv => !drop.Contains(kv.Key));
            SafeTensorsWriter.Save(path, kept);
        }
        finally
        {
            DisposeAll(tensors.Where(kv => !extra.ContainsKey(kv.Key)).Select(kv => kv.Value));
        }
    }

    /// <summary>The golden text encoder's tensors under SD 1.x single-file names.</summary>
    public static Dictionary<string, Tensor> TransformersTextEncoder()
    {
        var te = ReadAll(Path.Combine(Pipeline, "text_encoder", "model.safetensors"));
        return te.ToDictionary(kv => "cond_stage_model.transformer." + kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// An SD 2.x-shaped UNet (zeros, float16) with the tiny golden UNet's structure: every width doubled (blocks 64
    /// and 128, so whole 64-dimensional heads) and proj_in/proj_out as linear layers.
    /// </summary>
    public static Dictionary<string, Tensor> WideSd2Unet()
    {
        using var file = SafeTensorsFile.Open(SingleFile);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in file.Names.Where(n => n.StartsWith("model.diffusion_model.", StringComparison.Ordinal)))
        {
            var shape = file.Info(name).Shape.Select(d => d >= 8 ? d * 2 : d).ToArray();
            if (name.Contains(".proj_in.weight", StringComparison.Ordinal) || name.Contains(".proj_out.weight", StringComparison.Ordinal))
                shape = shape[..2];
            result[name] = torch.zeros(shape, ScalarType.Float16);
        }
        return result;
    }

    /// <summary>A scratch folder removed by <see cref="IDisposable.Dispose"/>.</summary>
    public sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = Directory.CreateTempSubdirectory("genart-loading-").FullName;
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
