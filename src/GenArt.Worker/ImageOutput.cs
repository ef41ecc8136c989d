using System.Text.Json;
using System.Text.Json.Serialization;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Schedulers;
using GenArt.Imaging;

namespace GenArt.Worker;

/// <summary>Everything needed to reproduce an image; written as the PNG's <c>genart</c> JSON chunk.</summary>
public sealed record GenerationRecord(
    string Prompt, string NegativePrompt, ulong Seed, double GuidanceScale, int Steps, string Scheduler,
    int Width, int Height, string Model, string Mode, double? Strength, int ClipSkip, string Generator = "genart",
    IReadOnlyList<AdapterUseRecord>? Adapters = null);

/// <summary>An adapter an image was made with: its name, the content hash of its file, and its scale.</summary>
public sealed record AdapterUseRecord(string Name, string Sha256, double Scale);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(GenerationRecord))]
internal sealed partial class RecordJsonContext : JsonSerializerContext;

/// <summary>Encodes a generated image as PNG with A1111-style <c>parameters</c> text and the <c>genart</c> record.</summary>
public static class ImageOutput
{
    /// <summary>The record as the compact JSON stored in the <c>genart</c> chunk.</summary>
    public static string ToJson(GenerationRecord record) => JsonSerializer.Serialize(record, RecordJsonContext.Default.GenerationRecord);

    /// <summary>Reads a <c>genart</c> chunk back; null when it is not a record.</summary>
    public static GenerationRecord? FromJson(string json) => JsonSerializer.Deserialize(json, RecordJsonContext.Default.GenerationRecord);

    public static byte[] EncodePng(RgbImage image, GenerationRecord record)
    {
        var parameters = new GenerationParameters
        {
            Prompt = record.Prompt,
            NegativePrompt = record.NegativePrompt,
            Steps = record.Steps,
            Sampler = SchedulerFactory.DisplayName(record.Scheduler),
            CfgScale = record.GuidanceScale,
            Seed = unchecked((long)record.Seed),
            Width = record.Width,
            Height = record.Height,
            Model = record.Model,
            Extra = Extras(record),
        };
        var raster = new RasterImage(image.Width, image.Height, PixelFormat.Rgb8, image.Pixels);
        string json = ToJson(record);
        return PngEncoder.Encode(raster, [PngTextEntry.Parameters(parameters.ToA1111Text()), PngTextEntry.GenArt(json)]);
    }

    private static List<KeyValuePair<string, string>> Extras(GenerationRecord record)
    {
        var extra = new List<KeyValuePair<string, string>>();
        // A1111 counts clip skip from 1 (= last layer); ours counts skipped layers.
        if (record.ClipSkip > 0) extra.Add(new("Clip skip", (record.ClipSkip + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (record.Strength is double s) extra.Add(new("Denoising strength", s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        // A1111 names LoRA files by the first 12 hex digits of their hash
        if (record.Adapters is { Count: > 0 } adapters)
            extra.Add(new("Lora hashes", string.Join(", ", adapters.Select(a => $"{a.Name}: {a.Sha256[..Math.Min(12, a.Sha256.Length)]}"))));
        return extra;
    }
}
