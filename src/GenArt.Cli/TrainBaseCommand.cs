using System.CommandLine;
using System.Diagnostics;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Training;
using GenArt.Procedural;
using GenArt.Torch;
using Spectre.Console;

namespace GenArt.Cli;

/// <summary>
/// <c>genart train-base</c>: trains the embedded default model on procedurally drawn images, resuming from the
/// newest checkpoint, and exports the diffusers folder when both phases are done.
/// </summary>
internal static class TrainBaseCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "the diffusers folder to export", DefaultValueFactory = _ => "models/genart-tiny" };
        var configs = new Option<string?>("--configs") { Description = "folder with unet/, vae/, text_encoder/ config.json and scheduler/ (default: --out)" };
        var checkpoints = new Option<string>("--checkpoints") { Description = "checkpoint folder (resumed from when it has checkpoints)", DefaultValueFactory = _ => "genart-train" };
        var vaeSteps = new Option<long>("--vae-steps") { Description = "total VAE steps", DefaultValueFactory = _ => 1500 };
        var unetSteps = new Option<long>("--unet-steps") { Description = "total UNet + text encoder steps", DefaultValueFactory = _ => 10000 };
        var batch = new Option<int>("--batch") { Description = "images per UNet step", DefaultValueFactory = _ => 8 };
        var vaeBatch = new Option<int>("--vae-batch") { Description = "images per VAE step (a VAE step at 128 px costs about four UNet images)", DefaultValueFactory = _ => 4 };
        var vaeCrop = new Option<int>("--vae-crop") { Description = "train the VAE on random square crops of this side (0: whole images)", DefaultValueFactory = _ => 0 };
        var vaeLr = new Option<double>("--vae-lr") { Description = "VAE learning rate (may change on resume)", DefaultValueFactory = _ => 4e-4 };
        var unetLr = new Option<double>("--unet-lr") { Description = "UNet + text encoder learning rate (may change on resume)", DefaultValueFactory = _ => 3e-4 };
        var decoderSteps = new Option<long>("--vae-decoder-steps") { Description = "decoder-only VAE steps after the VAE phase (0: none); the latents, and the UNet, stay valid", DefaultValueFactory = _ => 0 };
        var decoderCrop = new Option<int?>("--vae-decoder-crop") { Description = "crop side of the decoder-only steps (0: whole images; default: --vae-crop)" };
        var unetAverage = new Option<double>("--unet-average") { Description = "decay of a moving average of the UNet and text encoder weights, exported in their place (0: none; 0.999 averages about the last 1000 steps)", DefaultValueFactory = _ => 0 };
        var decoderLr = new Option<double>("--vae-decoder-lr") { Description = "decoder-only learning rate (may change on resume)", DefaultValueFactory = _ => 1e-4 };
        var noiseOffset = new Option<double>("--noise-offset") { Description = "UNet offset noise scale, 0 to 1: lets prompts set the mean colour (may change on resume)", DefaultValueFactory = _ => 0.2 };
        var imageSize = new Option<int>("--image-size") { Description = "training image side in pixels", DefaultValueFactory = _ => 128 };
        var every = new Option<long>("--checkpoint-every") { Description = "steps between checkpoints", DefaultValueFactory = _ => 100 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: one per core)" };
        var measure = new Option<bool>("--measure") { Description = "only time a UNet call (batch 2) and a VAE decode with the configs, then exit" };

        var command = new Command("train-base", "train the default model from scratch on procedural images (resumable)");
        foreach (var o in new Option[] { output, configs, checkpoints, vaeSteps, unetSteps, batch, vaeBatch, vaeCrop, vaeLr, unetLr, decoderSteps, decoderLr, decoderCrop, unetAverage, noiseOffset, imageSize, every, threads, measure })
            command.Options.Add(o);
        command.SetAction(r =>
        {
            torch.set_num_threads(r.GetValue(threads) ?? Environment.ProcessorCount);
            var spec = BaseModelSpec.FromFolder(r.GetValue(configs) ?? r.GetValue(output)!);
            if (r.GetValue(measure)) return Measure(spec);
            var request = new Request(r.GetValue(output)!, r.GetValue(checkpoints)!, r.GetValue(vaeSteps), r.GetValue(unetSteps),
                r.GetValue(batch), r.GetValue(vaeBatch), r.GetValue(vaeCrop), r.GetValue(vaeLr), r.GetValue(unetLr),
                r.GetValue(decoderSteps), r.GetValue(decoderLr), r.GetValue(decoderCrop), r.GetValue(unetAverage), r.GetValue(noiseOffset),
                r.GetValue(imageSize), r.GetValue(every));
            return Train(spec, request);
        });
        return command;
    }

    private sealed record Request(string Out, string Checkpoints, long VaeSteps, long UnetSteps, int Batch, int VaeBatch, int VaeCrop, double VaeLr, double UnetLr,
        long DecoderSteps, double DecoderLr, int? DecoderCrop, double UnetAverage, double NoiseOffset, int ImageSize, long Every);

    private static int Train(BaseModelSpec spec, Request r)
    {
        int size = r.ImageSize;
        if (r.VaeCrop < 0 || r.VaeCrop > size || r.VaeCrop % 8 != 0)
        {
            Console.Error.WriteLine($"error: --vae-crop must be 0 or a multiple of 8 up to --image-size {size}, not {r.VaeCrop}");
            return 2;
        }
        if (r.DecoderCrop is { } decoderCrop && (decoderCrop < 0 || decoderCrop > size || decoderCrop % 8 != 0))
        {
            Console.Error.WriteLine($"error: --vae-decoder-crop must be 0 or a multiple of 8 up to --image-size {size}, not {decoderCrop}");
            return 2;
        }
        if (r.UnetAverage != 0 && !WeightAverage.IsValidDecay(r.UnetAverage))
        {
            Console.Error.WriteLine($"error: --unet-average must be 0 (none) or lie strictly between 0 and 1, not {r.UnetAverage}");
            return 2;
        }
        if (!OffsetNoise.IsValidScale(r.NoiseOffset))
        {
            Console.Error.WriteLine($"error: --noise-offset must lie in [0, {OffsetNoise.MaxScale}], not {r.NoiseOffset}");
            return 2;
        }
        TrainingExample Example(long i)
        {
            var sample = Dataset.Sample(Dataset.TrainingSeed(i), size);
            return new TrainingExample(sample.Image.Pixels, size, sample.Caption);
        }
        var trainer = new BaseModelTrainer(r.Checkpoints, spec, Example)
        {
            VaeOptions = new TrainingOptions { Steps = r.VaeSteps, BatchSize = r.VaeBatch, LearningRate = r.VaeLr, CheckpointEvery = r.Every },
            UnetOptions = new TrainingOptions
            {
                Steps = r.UnetSteps, BatchSize = r.Batch, LearningRate = r.UnetLr, CheckpointEvery = r.Every, AverageDecay = r.UnetAverage,
            },
            VaeDecoderOptions = new TrainingOptions { Steps = r.DecoderSteps, BatchSize = r.VaeBatch, LearningRate = r.DecoderLr, CheckpointEvery = r.Every },
            VaeCropSize = r.VaeCrop,
            VaeDecoderCropSize = r.DecoderCrop,
            UnetNoiseOffset = r.NoiseOffset,
        };
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var started = Stopwatch.StartNew();
        if (Console.IsOutputRedirected)
        {
            // Logs (nohup) get one line per 10 steps, with the seconds per step since the last line.
            var lap = Stopwatch.StartNew();
            long lapStep = -1;
            trainer.Run(r.Out, new Progress(p =>
            {
                if (lapStep < 0 || p.Step < lapStep) lapStep = p.Step - 1;
                if (p.Step % 10 != 0 && p.Step != p.TotalSteps) return;
                double perStep = lap.Elapsed.TotalSeconds / Math.Max(1, p.Step - lapStep);
                Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {p.Phase} {p.Step}/{p.TotalSteps} loss {p.Loss:F5} {perStep:F2} s/step");
                lap.Restart();
                lapStep = p.Step;
            }), cancel.Token);
        }
        else
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    trainer.Run(r.Out, new Progress(p =>
                    {
                        if (!tasks.TryGetValue(p.Phase, out var task))
                            tasks[p.Phase] = task = ctx.AddTask(p.Phase, maxValue: p.TotalSteps);
                        task.Value = p.Step;
                        task.Description = $"{p.Phase} loss {p.Loss:F4}";
                    }), cancel.Token);
                });
        }
        Console.WriteLine(cancel.IsCancellationRequested
            ? $"stopped after {started.Elapsed:hh\\:mm\\:ss}; checkpoints in {r.Checkpoints}, run again to resume"
            : $"done in {started.Elapsed:hh\\:mm\\:ss}; model written to {r.Out}");
        return 0;
    }

    // Synchronous IProgress: the trainer's thread reports, so lines and bar updates keep step order.
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private static int Measure(BaseModelSpec spec)
    {
        using var unet = new UNet2DConditionModel(UNetConfig.FromJson(spec.UnetConfigJson));
        using var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(spec.VaeConfigJson));
        using var text = new ClipTextModel(ClipTextConfig.FromJson(spec.TextEncoderConfigJson));
        using (var g = new Generator(1))
        {
            unet.ResetParameters(g);
            vae.ResetParameters(g);
        }
        unet.Eval();
        vae.Eval();
        using var inference = torch.inference_mode();
        int side = unet.Config.SampleSize?[0] ?? 16;
        using var latents = torch.randn([2, 4, side, side]);
        using var t = torch.tensor(new long[] { 500 }, 1);
        using var hidden = torch.randn([2, 32, unet.Config.CrossAttentionDim[0]]);
        using var one = torch.randn([1, 4, side, side]);
        double unetMs = Time(() => unet.forward(latents, t, hidden).Dispose());
        double vaeMs = Time(() => vae.Decode(one).Dispose());
        long textParams = text.ParameterCount() - text.Config.VocabSize * text.Config.HiddenSize;
        Console.WriteLine($"unet: {unet.ParameterCount():N0} parameters, {unetMs:F1} ms per call (batch 2, {side}x{side} latents, {torch.get_num_threads()} threads)");
        Console.WriteLine($"vae: {vae.ParameterCount():N0} parameters, decode {vaeMs:F1} ms ({side * vae.Config.DownsampleFactor} px)");
        Console.WriteLine($"text encoder: {textParams:N0} parameters besides the token embedding");
        return 0;
    }

    // Median of 7 timed runs after 2 warm-ups.
    private static double Time(Action action)
    {
        for (int i = 0; i < 2; i++) action();
        var times = new double[7];
        for (int i = 0; i < times.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
