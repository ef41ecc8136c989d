using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Schedulers;
using GenArt.Server;
using GenArt.Worker;

namespace GenArt.Cli;

/// <summary>
/// Model descriptors for a front end without workers in its process: read from each checkpoint's configs, never
/// from its weights, so a front end needs no device and little memory. Request defaults come from the model's
/// <see cref="GenerationDefaults"/>.
/// </summary>
internal static class FrontEndModels
{
    /// <summary>The descriptor of a diffusers folder or single-file checkpoint, with the same sizes a loaded model reports.</summary>
    public static ModelDescriptor Describe(string path)
    {
        using var checkpoint = StableDiffusionCheckpoint.Open(path);
        var unet = UNetConfig.FromJson(checkpoint.Unet.ConfigJson);
        var vae = AutoencoderKLConfig.FromJson(checkpoint.Vae.ConfigJson);
        // The same rule as StableDiffusionModel.NativeSide and MaxSide.
        int native = (unet.SampleSize?[0] ?? 64) * vae.DownsampleFactor;
        int max = Math.Min(4 * native, 2048);
        // Workers in other processes hold the weights; the front end cannot see whether they are loaded.
        var defaults = GenerationDefaults.Read(path);
        return new ModelDescriptor(ModelCache.NameOf(path), "sd15", native, max, SchedulerFactory.Names, defaults.Scheduler, defaults.Steps,
            defaults.GuidanceScale, () => false);
    }
}
