using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Tests.Models;
using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Procedural;

namespace GenArt.Diffusion.Tests.Training.FineTune;

/// <summary>The golden tiny pipeline and a few procedural 32x32 images captioned with a trigger word.</summary>
internal static class FineTuneFixtures
{
    public const string Trigger = "zqbrand";
    public const int Size = 32;

    public static string ModelFolder => ModelFixtures.Golden("pipeline");

    public static StableDiffusionModel LoadModel() => StableDiffusionModel.Load(ModelFolder);

    public static IReadOnlyList<TrainingExample> Examples(int count = 3) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var s = Dataset.Sample(Dataset.TrainingSeed(i), Size);
            return new TrainingExample(s.Image.Pixels, Size, TrainingSetIntake.CaptionFor(s.Caption, Trigger));
        }).ToList();

    public static LoraTrainingSpec Spec(long steps, ulong seed = 5) => new()
    {
        Rank = 4, Alpha = 4, Steps = steps, BatchSize = 2, LearningRate = 1e-3, Seed = seed, CheckpointEvery = 2,
        TriggerWord = Trigger, BaseModel = "golden-pipeline",
    };

    /// <summary>A byte-exact copy of every parameter of the model (UNet, text encoder, VAE).</summary>
    public static Dictionary<string, float[]> Snapshot(StableDiffusionModel model) =>
        model.Unet.NamedParameters("unet.").Concat(model.TextEncoder.NamedParameters("text_encoder.")).Concat(model.Vae.NamedParameters("vae."))
            .ToDictionary(p => p.Key, p => p.Value.data<float>());

    public static double MeanAbsDiff(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();

    /// <summary>A scratch folder removed by Dispose.</summary>
    public sealed class Temp : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("genart-finetune-test-").FullName;

        public string Sub(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
