using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Schedulers;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Pipelines;

/// <summary>
/// Text-to-image and image-to-image over a <see cref="StableDiffusionModel"/>, for a batch of samples that share
/// size, steps and scheduler, each with its own prompt, negative prompt, seed and guidance scale.
/// </summary>
/// <remarks>
/// Classifier-free guidance runs as one UNet call per step on [uncond..., cond...]; every sample is guided, so a
/// sample's arithmetic never depends on its neighbours and a request gives the same pixels alone or in any
/// batch. Noise comes from each sample's own CPU generator seeded with its seed. A sample whose cancellation
/// token fires is dropped from the batch between steps; the others go on unchanged. LoRA adapters apply per
/// sample (<see cref="LoraBatch"/>): both rows of a sample get its adapters, other samples none. Not thread-safe for
/// concurrent calls on one model instance's device (one GPU's work stays on one thread).
/// </remarks>
public sealed partial class StableDiffusionPipeline(StableDiffusionModel model)
{
    public StableDiffusionModel Model { get; } = model;

    /// <param name="onStep">Called after every step, on this thread; <see cref="StepProgress.Previews"/> is valid only
    /// during the call.</param>
    /// <param name="capture">Optional, for parity checks: called with "context" (the [2B, L, D] text embeddings),
    /// "latents.{i}" after step i, and "decoded" (the VAE output in [-1, 1]); the tensors are freed after the call.</param>
    public IReadOnlyList<GenerationResult> Generate(GenerationSettings settings, IReadOnlyList<SampleRequest> samples,
        Action<StepProgress>? onStep = null, CancellationToken cancellation = default, Action<string, Tensor>? capture = null)
    {
        // 1. Check inputs: everything a client can get wrong fails here, before any tensor exists.
        GenerationValidation.Validate(settings, samples, Model.MaxSide, SchedulerFactory.Names.Concat(SchedulerFactory.DisplayNames).ToArray());

        using var inference = torch.inference_mode();
        using var scheduler = SchedulerFactory.Create(settings.Scheduler, Model.SchedulerConfig);
        var generators = samples.Select(s => new Generator(s.Seed)).ToList();
        try
        {
            return Run(settings, samples, scheduler, generators, onStep, cancellation, capture);
        }
        finally
        {
            foreach (var g in generators) g.Dispose();
        }
    }

    private GenerationResult[] Run(GenerationSettings settings, IReadOnlyList<SampleRequest> samples, IScheduler scheduler,
        List<Generator> generators, Action<StepProgress>? onStep, CancellationToken cancellation, Action<string, Tensor>? capture)
    {
        var warnings = samples.Select(_ => new List<string>()).ToArray();

        // Adapters apply per sample through the layers' output hook; the shared weights stay as loaded.
        using var adapters = samples.Any(s => s.Adapters.Count > 0)
            ? new LoraBatch(Model.Unet, Model.TextEncoder, samples.Select(s => s.Adapters).ToList())
            : null;
        using var hook = LayerOutputHooks.Use(adapters);

        // 2. Encode prompts: one text-encoder call for [negatives..., prompts...].
        adapters?.SetGuidedRows(Enumerable.Range(0, samples.Count).ToList());
        Tensor context = EncodePrompts(samples, settings.ClipSkip, warnings);
        capture?.Invoke("context", context);
        Tensor? latents = null;
        try
        {
            // 3. Timesteps, and where img2img starts.
            scheduler.SetTimesteps(settings.Steps);
            int start = 0;
            if (settings.Mode == GenerationMode.ImageToImage)
                start = scheduler.BeginAtStrength(settings.Strength).StartIndex;

            // 4. Initial latents from each sample's own generator.
            latents = settings.Mode == GenerationMode.ImageToImage
                ? InitialImageLatents(settings, samples, scheduler, generators, start)
                : InitialNoiseLatents(settings, samples.Count, scheduler, generators);

            // 5. Denoising loop.
            var active = Enumerable.Range(0, samples.Count).ToList();
            int total = scheduler.StepCount - start;
            for (int i = start; i < scheduler.StepCount; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (DropCancelled(samples, active, scheduler, ref latents, ref context) == 0) break;
                var activeGenerators = active.Select(a => generators[a]).ToList();
                var guidance = active.Select(a => (float)samples[a].GuidanceScale).ToArray();
                adapters?.SetGuidedRows(active);
                latents = DenoiseStep(scheduler, i, latents, context, guidance, activeGenerators);
                capture?.Invoke($"latents.{i}", latents);
                var snapshot = latents;
                onStep?.Invoke(new StepProgress(i - start + 1, total, active.ToArray(), () => LatentPreview.ToRgb(snapshot)));
            }
            DropCancelled(samples, active, scheduler, ref latents, ref context);

            // 6. Decode the samples that are still in the batch.
            var results = new GenerationResult[samples.Count];
            for (int s = 0; s < samples.Count; s++) results[s] = new GenerationResult(null, samples[s].Seed, warnings[s]);
            if (active.Count > 0)
            {
                var images = Decode(latents, capture);
                for (int k = 0; k < active.Count; k++)
                    results[active[k]] = new GenerationResult(images[k], samples[active[k]].Seed, warnings[active[k]]);
            }
            return results;
        }
        finally
        {
            context.Dispose();
            latents?.Dispose();
        }
    }

    /// <summary>One step for the active batch: [x, x] through the UNet against [uncond, cond], then
    /// uncond + g (cond - uncond) per sample, then the scheduler. Returns the new latents (the old are disposed).</summary>
    private Tensor DenoiseStep(IScheduler scheduler, int step, Tensor latents, Tensor context, float[] guidance, List<Generator> generators)
    {
        using var scope = torch.NewDisposeScope();
        var x = scheduler.ScaleModelInput(latents, step);
        var modelInput = torch.cat([x, x]);
        var t = torch.scalar_tensor(scheduler.Timesteps[step], ScalarType.Float32, Model.Device);
        var noise = Model.Unet.forward(modelInput, t, context);
        var halves = noise.chunk(2);
        var g = torch.tensor<float>(guidance.AsSpan(), [guidance.Length, 1, 1, 1], Model.Device).to(noise.dtype);
        var guided = halves[0] + g * (halves[1] - halves[0]);
        var next = scheduler.Step(guided, step, latents, generators).PrevSample.MoveToOuterDisposeScope();
        latents.Dispose();
        return next;
    }

    /// <summary>Removes samples whose cancellation fired from the batch (latents, both context halves and the
    /// scheduler's history). Returns how many remain.</summary>
    private static int DropCancelled(IReadOnlyList<SampleRequest> samples, List<int> active, IScheduler scheduler, ref Tensor latents, ref Tensor context)
    {
        var keep = new List<long>();
        for (int k = 0; k < active.Count; k++)
            if (!samples[active[k]].Cancellation.IsCancellationRequested) keep.Add(k);
        if (keep.Count == active.Count) return active.Count;
        var kept = keep.Select(k => active[(int)k]).ToList();
        active.Clear();
        active.AddRange(kept);
        if (keep.Count == 0) return 0;

        int n = (int)latents.shape[0];
        using var rows = torch.tensor(keep.ToArray(), keep.Count).to(latents.device);
        using var contextRows = torch.tensor(keep.Concat(keep.Select(k => k + n)).ToArray(), 2 * keep.Count).to(latents.device);
        var newLatents = latents.index_select(0, rows).DetachFromDisposeScope();
        var newContext = context.index_select(0, contextRows).DetachFromDisposeScope();
        latents.Dispose();
        context.Dispose();
        latents = newLatents;
        context = newContext;
        scheduler.KeepRows(keep);
        return active.Count;
    }
}
