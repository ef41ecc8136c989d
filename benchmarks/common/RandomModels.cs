using System.Globalization;
using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Tokenization;
using GenArt.Diffusion.Training;
using GenArt.Torch;
using GenArt.Torch.Modules;

// Shared by the engine benchmarks (linked into each project): this process's resident memory, and models with random
// weights written once to a cache folder, for timings where the weights' values do not matter.

/// <summary>Resident memory of this process, from /proc/self/status.</summary>
internal static class Memory
{
    private static long Field(string name) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(name, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    public static long PeakRss() => Field("VmHWM:");

    public static long CurrentRss() => Field("VmRSS:");
}

/// <summary>
/// A diffusers folder with random weights (float16 on disk), written once under the cache folder: <c>tiny</c> from
/// models/genart-tiny's configs, <c>sd15</c> from tests/fixtures/configs/stable-diffusion-v1-5 with the SD 1.x CLIP
/// text encoder.
/// </summary>
internal static class RandomModel
{
    public static string Ensure(string kind, string cache)
    {
        string folder = Path.Combine(cache, $"{kind}-random");
        if (File.Exists(Path.Combine(folder, "model_index.json"))) return folder;
        string tokenizerFolder = FindUp("tests/fixtures/golden/pipeline/tokenizer");
        string configs = kind switch
        {
            "tiny" => FindUp("models/genart-tiny"),
            "sd15" => FindUp("tests/fixtures/configs/stable-diffusion-v1-5"),
            _ => throw new ArgumentException($"unknown model kind '{kind}' (tiny or sd15)"),
        };
        Console.Error.WriteLine($"writing random {kind} weights to {folder} ...");
        string unetJson = File.ReadAllText(Path.Combine(configs, "unet", "config.json"));
        string vaeJson = File.ReadAllText(Path.Combine(configs, "vae", "config.json"));
        string scheduler = File.ReadAllText(Path.Combine(configs, "scheduler", "scheduler_config.json"));
        var tokenizer = ClipTokenizer.FromDiffusersFolder(tokenizerFolder);
        var textConfig = kind == "sd15"
            ? ClipTextConfig.StableDiffusion1
            : ClipTextConfig.FromJson(new BaseModelSpec(unetJson, vaeJson, File.ReadAllText(Path.Combine(configs, "text_encoder", "config.json")), scheduler)
                .TextEncoderConfigFor(tokenizer.Vocabulary.Count, tokenizer.StartOfTextId, tokenizer.EndOfTextId, tokenizer.Options.MaxLength));
        using var g = new Generator(15);
        using var text = new ClipTextModel(textConfig);
        using var unet = new UNet2DConditionModel(UNetConfig.FromJson(unetJson));
        using var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(vaeJson));
        foreach (Module m in new Module[] { text, unet, vae }) m.ResetParameters(g);
        DiffusersFolderWriter.Save(folder, new(unetJson, unet), new(vaeJson, vae), new(textConfig.ToJson(), text), tokenizerFolder, scheduler, ScalarType.Float16);
        return folder;
    }

    private static string FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException(relative);
    }
}
