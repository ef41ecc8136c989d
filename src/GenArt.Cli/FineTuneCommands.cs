using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Imaging;
using GenArt.Procedural;
using GenArt.Torch;
using Spectre.Console;

namespace GenArt.Cli;

/// <summary>
/// <c>genart finetune-local</c>: trains a LoRA adapter from a folder of images in this process (no server), with a
/// progress bar, checkpoints and previews. <c>genart finetune-acceptance</c>: trains on generated brand images and
/// reports whether the adapter moved the renders toward the brand's palette.
/// </summary>
internal static class FineTuneCommands
{
    private sealed record Common(Option<string> Model, Option<int> Steps, Option<int> Rank, Option<double> Alpha, Option<double> Lr,
        Option<int> Batch, Option<int?> Resolution, Option<ulong> Seed, Option<bool> TextEncoder, Option<string?> Checkpoints,
        Option<long> Every, Option<int?> Threads, Option<string> Trigger, Option<double> NoiseOffset)
    {
        public static Common Create(string defaultTrigger) => new(
            new Option<string>("--model") { Description = "the base model: a diffusers folder or single-file .safetensors", Required = true },
            new Option<int>("--steps") { Description = "optimizer steps", DefaultValueFactory = _ => 300 },
            new Option<int>("--rank") { Description = "LoRA rank r", DefaultValueFactory = _ => 8 },
            new Option<double>("--alpha") { Description = "LoRA alpha (the layers add alpha / r * B A x)", DefaultValueFactory = _ => 8 },
            new Option<double>("--lr") { Description = "AdamW learning rate", DefaultValueFactory = _ => 1e-4 },
            new Option<int>("--batch") { Description = "images per step", DefaultValueFactory = _ => 1 },
            new Option<int?>("--resolution") { Description = "training side in pixels (default: the model's native side)" },
            new Option<ulong>("--seed") { Description = "seeds initialisation, image order, noise and timesteps", DefaultValueFactory = _ => 0 },
            new Option<bool>("--text-encoder") { Description = "also adapt the text encoder's attention projections" },
            new Option<string?>("--checkpoints") { Description = "checkpoint folder; a run resumes from its newest checkpoint" },
            new Option<long>("--checkpoint-every") { Description = "steps between checkpoints", DefaultValueFactory = _ => 50 },
            new Option<int?>("--threads") { Description = "CPU threads (default: one per core)" },
            new Option<string>("--trigger") { Description = "the trigger word", DefaultValueFactory = _ => defaultTrigger },
            new Option<double>("--noise-offset") { Description = "offset noise scale per latent channel (0 for none)", DefaultValueFactory = _ => 0 });

        public IEnumerable<Option> All => [Model, Steps, Rank, Alpha, Lr, Batch, Resolution, Seed, TextEncoder, Checkpoints, Every, Threads, Trigger, NoiseOffset];

        public LoraTrainingSpec Spec(ParseResult r, string baseModel) => new()
        {
            Rank = r.GetValue(Rank), Alpha = r.GetValue(Alpha), Steps = r.GetValue(Steps), LearningRate = r.GetValue(Lr),
            BatchSize = r.GetValue(Batch), Seed = r.GetValue(Seed), TrainTextEncoder = r.GetValue(TextEncoder),
            CheckpointEvery = r.GetValue(Every), TriggerWord = r.GetValue(Trigger)!, BaseModel = baseModel, NoiseOffset = r.GetValue(NoiseOffset),
        };
    }

    public static Command Local()
    {
        var c = Common.Create("");
        var images = new Option<string>("--images") { Description = "folder of PNG/JPEG training images (3-1000)", Required = true };
        var captions = new Option<string?>("--captions") { Description = "JSON lines {\"file\": \"a.png\", \"caption\": \"...\"}; missing captions default to the trigger word" };
        var output = new Option<string>("--out") { Description = "the adapter .safetensors to write", Required = true };
        var previews = new Option<string?>("--previews") { Description = "folder for base/adapted preview PNGs at the end" };
        var previewSeeds = new Option<string>("--preview-seeds") { Description = "comma-separated preview seeds", DefaultValueFactory = _ => "1,2,3,4" };
        var previewPrompt = new Option<string?>("--preview-prompt") { Description = "preview prompt (default: the trigger word)" };
        var command = new Command("finetune-local", "train a LoRA adapter on a folder of images in this process");
        foreach (var o in c.All.Concat([images, captions, output, previews, previewSeeds, previewPrompt])) command.Options.Add(o);
        command.SetAction(r => Guarded(() =>
        {
            SetThreads(r.GetValue(c.Threads));
            var uploads = ReadUploads(r.GetValue(images)!, r.GetValue(captions));
            using var model = StableDiffusionModel.Load(r.GetValue(c.Model)!);
            var spec = c.Spec(r, model.Name);
            spec.Validate();
            int side = r.GetValue(c.Resolution) ?? model.NativeSide;
            var examples = TrainingSetIntake.Prepare(uploads, spec.TriggerWord, side);
            using var trainer = new LoraTrainer(model, examples, spec);
            Train(trainer, r.GetValue(c.Checkpoints));
            trainer.SaveAdapter(r.GetValue(output)!);
            Console.WriteLine($"adapter written to {r.GetValue(output)} ({trainer.Adapter.Summary.TargetCount} layers, rank {spec.Rank})");
            if (r.GetValue(previews) is { } folder)
            {
                var seeds = ParseSeeds(r.GetValue(previewSeeds)!);
                var defaults = model.Defaults;
                var settings = new GenerationSettings { Width = side, Height = side, Steps = defaults.Steps, Scheduler = defaults.Scheduler };
                WritePreviews(folder, trainer.RenderPreviews(r.GetValue(previewPrompt) ?? spec.TriggerWord, seeds, settings, defaults.GuidanceScale));
            }
            return 0;
        }));
        return command;
    }

    public static Command Acceptance()
    {
        var c = Common.Create("zqbrand");
        var count = new Option<int>("--images") { Description = "brand images to generate", DefaultValueFactory = _ => 20 };
        var output = new Option<string>("--out") { Description = "folder for the adapter, previews and report.md", Required = true };
        var seeds = new Option<string>("--preview-seeds") { Description = "comma-separated render seeds scored before and after", DefaultValueFactory = _ => "1,2,3,4" };
        var renderSteps = new Option<int>("--render-steps") { Description = "denoising steps of the scored renders", DefaultValueFactory = _ => 20 };
        var command = new Command("finetune-acceptance",
            "train on generated brand images (gold hexagons on teal) and check the adapter moves renders toward the brand palette");
        foreach (var o in c.All.Concat([count, output, seeds, renderSteps])) command.Options.Add(o);
        command.SetAction(r => Guarded(() =>
        {
            SetThreads(r.GetValue(c.Threads));
            using var model = StableDiffusionModel.Load(r.GetValue(c.Model)!);
            var spec = c.Spec(r, model.Name);
            int side = r.GetValue(c.Resolution) ?? model.NativeSide;
            var style = BrandStyle.TealGold;
            var examples = Enumerable.Range(0, r.GetValue(count))
                .Select(i => new TrainingExample(BrandSet.Image(style, spec.Seed, i, side).Pixels, side, spec.TriggerWord)).ToList();
            string folder = r.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var settings = new GenerationSettings { Width = side, Height = side, Steps = r.GetValue(renderSteps), Scheduler = "dpmpp-2m-karras" };
            FineTuneAcceptanceReport report = null!;
            WithProgress(spec.Steps, report2 => report = FineTuneAcceptance.Run(model, examples, spec, spec.TriggerWord, ParseSeeds(r.GetValue(seeds)!),
                settings, image => BrandSet.PaletteDistance(image.Pixels, style.Colors), report2, r.GetValue(c.Checkpoints),
                Path.Combine(folder, "adapter.safetensors")));
            WritePreviews(folder, report.Previews);
            string verdict = report.Passed() ? "PASSED" : "FAILED";
            string text = string.Create(CultureInfo.InvariantCulture, $"""
                # Fine-tune acceptance

                model: {r.GetValue(c.Model)}; {examples.Count} brand images at {side} px; trigger '{spec.TriggerWord}'; {spec.Steps} steps, rank {spec.Rank}, alpha {spec.Alpha}, lr {spec.LearningRate}, batch {spec.BatchSize}, noise offset {spec.NoiseOffset}, text encoder {spec.TrainTextEncoder}, seed {spec.Seed}

                | | mean palette distance (RGB, 0-441) |
                |---|---|
                | base model, prompt '{spec.TriggerWord}' | {report.BaseDistance:F1} |
                | with the adapter | {report.AdaptedDistance:F1} |

                ratio {report.Ratio:F3}; base renders unchanged after training: {report.BaseUnchanged}; loss first 10 steps {report.Losses.Take(10).DefaultIfEmpty(double.NaN).Average():F4}, last 10 {report.Losses.TakeLast(10).DefaultIfEmpty(double.NaN).Average():F4}

                {verdict} (rule: base renders unchanged and the adapted renders at least 10% closer to the palette)

                """);
            File.WriteAllText(Path.Combine(folder, "report.md"), text);
            Console.Write(text);
            return report.Passed() ? 0 : 1;
        }));
        return command;
    }

    private static int Guarded(Func<int> run)
    {
        try
        {
            return run();
        }
        catch (FineTuneInputException e)
        {
            Console.Error.WriteLine($"refused: {e.Message}");
            return 2;
        }
    }

    private static void SetThreads(int? threads) => torch.set_num_threads(threads ?? Environment.ProcessorCount);

    private static void Train(LoraTrainer trainer, string? checkpoints) =>
        WithProgress(trainer.Spec.Steps, progress => trainer.Run(checkpoints, progress));

    // A Spectre bar on a terminal; one line per 10 steps when redirected.
    private static void WithProgress(long total, Action<Action<LoraTrainingProgress>> run)
    {
        if (Console.IsOutputRedirected)
        {
            run(p =>
            {
                if (p.Step % 10 == 0 || p.Step == p.TotalSteps)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} step {p.Step}/{p.TotalSteps} loss {p.Loss:F5}"));
            });
            return;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("finetune", maxValue: total);
                run(p =>
                {
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"finetune loss {p.Loss:F4}");
                });
            });
    }

    internal static List<FineTuneUpload> ReadUploads(string folder, string? captionsFile)
    {
        if (!Directory.Exists(folder)) throw new FineTuneInputException("images", $"{folder}: no such folder");
        var files = Directory.GetFiles(folder)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg")
            .Order(StringComparer.Ordinal).ToList();
        var captions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (captionsFile is not null)
        {
            int line = 0;
            foreach (var text in File.ReadLines(captionsFile))
            {
                line++;
                if (string.IsNullOrWhiteSpace(text)) continue;
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    string file = doc.RootElement.GetProperty("file").GetString() ?? throw new KeyNotFoundException("file");
                    string caption = doc.RootElement.GetProperty("caption").GetString() ?? "";
                    if (!files.Any(f => Path.GetFileName(f) == file))
                        throw new FineTuneInputException("captions", $"line {line} names '{file}', which is not an image in {folder}");
                    captions[file] = caption;
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    throw new FineTuneInputException("captions", $"{captionsFile} line {line}: expected {{\"file\": ..., \"caption\": ...}} ({e.Message})");
                }
            }
        }
        return files.Select(f => new FineTuneUpload(Path.GetFileName(f), File.ReadAllBytes(f), captions.GetValueOrDefault(Path.GetFileName(f)))).ToList();
    }

    private static ulong[] ParseSeeds(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
                : throw new FineTuneInputException("preview_seeds", $"'{s}' is not a seed"))
            .ToArray();

    private static void WritePreviews(string folder, IReadOnlyList<LoraPreview> previews)
    {
        Directory.CreateDirectory(folder);
        foreach (var p in previews)
        {
            File.WriteAllBytes(Path.Combine(folder, $"seed-{p.Seed}-base.png"), p.BasePng());
            File.WriteAllBytes(Path.Combine(folder, $"seed-{p.Seed}-adapted.png"), p.AdaptedPng());
        }
        Console.WriteLine($"{previews.Count} preview pair(s) written to {folder}");
    }
}
