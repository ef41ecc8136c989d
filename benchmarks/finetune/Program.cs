using System.Diagnostics;
using System.Globalization;
using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Tokenization;
using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Torch;
using GenArt.Torch.Modules;

// Seconds per LoRA training step (forward + backward + AdamW on the adapter) and peak resident memory, one model
// per process so the peak belongs to that run:
//   dotnet run -c Release --project benchmarks/finetune -- (tiny | sd15) <cache folder> <size> <batch> [steps=5] [threads=cores]
// Both models get random weights, written once (float16) to the cache folder: tiny from models/genart-tiny's configs,
// sd15 from tests/fixtures/configs/stable-diffusion-v1-5 with the SD 1.x CLIP text encoder.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: (tiny | sd15) <cache folder> <size> <batch> [steps=5] [threads=cores]");
    return 2;
}
string kind = args[0];
int size = int.Parse(args[2], CultureInfo.InvariantCulture);
int batch = int.Parse(args[3], CultureInfo.InvariantCulture);
int steps = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 5;
torch.set_num_threads(args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : Environment.ProcessorCount);
string folder = RandomModel.Ensure(kind, args[1]);

long rssBefore = Memory.CurrentRss();
using var model = StableDiffusionModel.Load(folder);
long rssLoaded = Memory.CurrentRss();
var rng = new Random(1);
var examples = Enumerable.Range(0, Math.Max(3, batch)).Select(i =>
{
    var rgb = new byte[size * size * 3];
    rng.NextBytes(rgb);
    return new TrainingExample(rgb, size, "zqbrand a red circle");
}).ToList();
var spec = new LoraTrainingSpec { Rank = 8, Alpha = 8, Steps = steps + 1, BatchSize = batch, LearningRate = 1e-4, TriggerWord = "zqbrand" };
using var trainer = new LoraTrainer(model, examples, spec);
long loraParams = trainer.NamedParameters.Sum(p => p.Value.numel());
var warm = Stopwatch.StartNew();
trainer.TrainStep(); // warm-up: the VAE encodes of the first images, kernel selection, first allocations
double warmSeconds = warm.Elapsed.TotalSeconds;
var times = new List<double>();
for (int i = 0; i < steps; i++)
{
    // every image of the set has been encoded once by now when the set is one batch; with a larger set the
    // first epoch's steps include their images' VAE encodes
    var sw = Stopwatch.StartNew();
    trainer.TrainStep();
    times.Add(sw.Elapsed.TotalSeconds);
}
times.Sort();
Console.WriteLine($"model: {kind} (random weights), UNet {model.Unet.ParameterCount() / 1e6:F1} M params; LoRA rank 8 on {trainer.Adapter.Summary.TargetCount} attention projections, {loraParams:N0} trainable params");
Console.WriteLine($"images {size}x{size}, batch {batch}, {torch.get_num_threads()} threads");
Console.WriteLine($"first step (incl. VAE encodes): {warmSeconds:F2} s");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"step: median {times[times.Count / 2]:F3} s, min {times[0]:F3} s, max {times[^1]:F3} s over {steps} steps"));
Console.WriteLine($"RSS: before load {rssBefore / 1048576} MiB, after load {rssLoaded / 1048576} MiB, peak {Memory.PeakRss() / 1048576} MiB");
return 0;
