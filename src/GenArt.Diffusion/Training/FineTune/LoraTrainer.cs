using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Schedulers;
using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Training.FineTune;

/// <summary>Reported after every optimizer step.</summary>
public readonly record struct LoraTrainingProgress(long Step, long TotalSteps, double Loss);

/// <summary>
/// Trains a LoRA adapter on a loaded base model: rank-r A/B pairs on the attention projections of the UNet
/// (<c>to_q</c>, <c>to_k</c>, <c>to_v</c>, <c>to_out.0</c> of every attention block) and, when asked, of the text
/// encoder (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>out_proj</c>). The base weights are frozen and never
/// written; the adapter reaches the layers through the same per-sample output hook inference uses
/// (<see cref="LoraBatch"/>), so what is trained is exactly what the engine later applies.
/// </summary>
/// <remarks>
/// <para>Initialisation as PEFT does: A ~ U(-1/sqrt(in), 1/sqrt(in)) (Kaiming-uniform with a = sqrt(5), the
/// torch.nn.Linear default) from a generator seeded by the spec's seed, B = 0, so the untrained adapter is the
/// identity.</para>
/// <para>Loss: the noise-prediction MSE of the model's own noise schedule (epsilon prediction). Step s reads the
/// examples s·B … s·B+B-1 of a per-epoch seeded shuffle; the latent sample, the noise and the timesteps of step s
/// derive from (seed, s) alone. The step count is therefore the whole random state: a checkpoint holds the
/// adapter, the AdamW moments and the step, and a resumed run equals an uninterrupted one bit for bit (same
/// thread count and device).</para>
/// </remarks>
public sealed partial class LoraTrainer : IDisposable
{
    /// <summary>The UNet layers adapted: the last name segments of every attention block's projections.</summary>
    public static IReadOnlyList<string> UnetProjections { get; } = ["to_q", "to_k", "to_v", "to_out.0"];

    /// <summary>The text-encoder layers adapted when <see cref="LoraTrainingSpec.TrainTextEncoder"/> is set.</summary>
    public static IReadOnlyList<string> TextEncoderProjections { get; } = ["q_proj", "k_proj", "v_proj", "out_proj"];

    private const int PhaseId = 3;
    private const int ShufflePhase = 4;
    private const ulong InitSalt = 0x4C6F5241u;

    private readonly StableDiffusionModel model;
    private readonly IReadOnlyList<TrainingExample> examples;
    private readonly NoiseSchedule schedule;
    private readonly List<LoraLayerWeights> layers;
    private readonly List<KeyValuePair<string, Tensor>> named;
    private readonly ManagedAdamW optimizer;
    private readonly (Tensor Mean, Tensor Std)?[] posteriors;
    private readonly string dataHash;
    private (long Epoch, int[] Order) shuffle = (-1, []);

    /// <param name="model">The base model, loaded in float32. Its weights are frozen (requires_grad false) and left
    /// unchanged; it may serve renders between steps.</param>
    /// <param name="examples">Prepared training images (<see cref="TrainingSetIntake.Prepare"/>), all one size.</param>
    /// <exception cref="FineTuneInputException">The spec or the images do not fit the model.</exception>
    public LoraTrainer(StableDiffusionModel model, IReadOnlyList<TrainingExample> examples, LoraTrainingSpec spec)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (examples.Count == 0) throw new FineTuneInputException("images", "no training images");
        int side = examples[0].Size;
        if (examples.Any(e => e.Size != side)) throw new FineTuneInputException("images", "every training image must have the same size");
        if (side % model.LatentScale != 0)
            throw new FineTuneInputException("resolution", $"{side} is not a multiple of the VAE's downsampling factor {model.LatentScale}");
        if (model.DType != ScalarType.Float32)
            throw new ArgumentException($"LoRA training runs in float32; the model is loaded as {model.DType}", nameof(model));
        string prediction = model.SchedulerConfig.GetString("prediction_type", "epsilon");
        if (prediction != "epsilon")
            throw new ArgumentException($"the model predicts '{prediction}'; LoRA training supports epsilon-prediction models", nameof(model));

        this.model = model;
        this.examples = examples;
        Spec = spec;
        schedule = NoiseSchedule.FromConfig(model.SchedulerConfig);
        foreach (var m in new Module[] { model.Unet, model.TextEncoder, model.Vae })
        {
            m.RequiresGrad(false);
            m.Eval();
        }
        posteriors = new (Tensor, Tensor)?[examples.Count];
        dataHash = HashOf(examples);
        layers = CreateLayers();
        named = layers.SelectMany(l => new[] { new KeyValuePair<string, Tensor>(l.Target.DownKey, l.Down), new(l.Target.UpKey, l.Up) }).ToList();
        var targets = layers.Select(l => l.Target).ToList();
        Adapter = new LoraAdapter($"finetune-{spec.Seed}", new LoraSummary(LoraFormat.Diffusers, spec.Rank, spec.Alpha, targets), layers);
        optimizer = new ManagedAdamW(named, spec.LearningRate, weightDecay: spec.WeightDecay);
    }

    public LoraTrainingSpec Spec { get; }

    /// <summary>The adapter being trained, usable in <see cref="SampleRequest.Adapters"/> between steps (its tensors
    /// require grad; the pipeline runs without autograd). Owned by the trainer.</summary>
    public LoraAdapter Adapter { get; }

    /// <summary>Optimizer steps taken so far (also after resuming from a checkpoint).</summary>
    public long Step { get; private set; }

    /// <summary>The adapter's tensors under the keys the adapter file uses (diffusers layout).</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> NamedParameters => named;

    /// <summary>
    /// Trains up to <see cref="LoraTrainingSpec.Steps"/>. With <paramref name="checkpointFolder"/>, resumes from its
    /// newest checkpoint (when newer than the trainer's step) and writes one every
    /// <see cref="LoraTrainingSpec.CheckpointEvery"/> steps, at the end, and when cancelled.
    /// </summary>
    /// <param name="progress">Called on this thread after every step.</param>
    /// <returns>The last step's loss, or NaN when nothing was left to do.</returns>
    /// <exception cref="InvalidOperationException">The folder's checkpoint belongs to another spec or image set, or
    /// the loss became NaN or infinite.</exception>
    public double Run(string? checkpointFolder = null, Action<LoraTrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        long saved = 0;
        if (checkpointFolder is not null)
        {
            Directory.CreateDirectory(checkpointFolder);
            saved = LatestCheckpointStep(checkpointFolder);
            if (saved > Step) Resume(checkpointFolder, saved);
        }
        double last = double.NaN;
        while (Step < Spec.Steps && !cancel.IsCancellationRequested)
        {
            last = TrainStep();
            if (checkpointFolder is not null && (Step % Spec.CheckpointEvery == 0 || Step == Spec.Steps))
            {
                SaveCheckpoint(checkpointFolder);
                saved = Step;
            }
            progress?.Invoke(new LoraTrainingProgress(Step, Spec.Steps, last));
        }
        if (checkpointFolder is not null && Step > saved) SaveCheckpoint(checkpointFolder);
        return last;
    }

    /// <summary>One optimizer step; returns its loss.</summary>
    public double TrainStep()
    {
        using var scope = torch.NewDisposeScope();
        optimizer.ZeroGrad();
        ulong stepSeed = StepRandom.Seed(Spec.Seed, PhaseId, Step);
        var indices = new int[Spec.BatchSize];
        for (int i = 0; i < indices.Length; i++) indices[i] = ExampleIndex(Step * Spec.BatchSize + i);
        double loss;
        using (var lora = NewBatch(indices.Length))
        {
            using (LayerOutputHooks.Use(lora))
            {
                var lossTensor = Loss(indices, stepSeed, Spec.TrainTextEncoder);
                loss = lossTensor.item<float>();
                lossTensor.backward();
            }
        }
        if (!double.IsFinite(loss)) throw new InvalidOperationException($"LoRA training: the loss became {loss} at step {Step}");
        optimizer.LearningRate = Spec.LearningRateAt(Step);
        optimizer.Update(Spec.MaxGradNorm);
        Step++;
        return loss;
    }

    /// <summary>
    /// The loss on a fixed batch without training: the first <paramref name="count"/> examples (all by default),
    /// latents, noise and timesteps drawn from <paramref name="seed"/>. The same seed gives the same batch at any
    /// step, so values at different steps compare the adapter alone.
    /// </summary>
    public double EvaluateLoss(ulong seed, int? count = null)
    {
        int n = Math.Clamp(count ?? examples.Count, 1, examples.Count);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var lora = NewBatch(n);
        using var hook = LayerOutputHooks.Use(lora);
        return Loss(Enumerable.Range(0, n).ToArray(), StepRandom.Mix(seed), trainTextEncoder: false).item<float>();
    }

    private LoraBatch NewBatch(int rows)
    {
        var use = new LoraUse(Adapter, 1.0);
        var samples = Enumerable.Range(0, rows).Select(_ => (IReadOnlyList<LoraUse>)[use]).ToList();
        var batch = new LoraBatch(model.Unet, Spec.TrainTextEncoder ? model.TextEncoder : null, samples);
        batch.SetRows(Enumerable.Range(0, rows).ToArray());
        return batch;
    }

    // Runs inside the caller's dispose scope with the adapter's hook installed.
    private Tensor Loss(int[] indices, ulong stepSeed, bool trainTextEncoder)
    {
        int batch = indices.Length;
        var device = model.Device;
        using var generator = new Generator(stepSeed);
        Tensor latents;
        using (torch.no_grad())
        {
            var mean = torch.cat(indices.Select(i => Posterior(i).Mean).ToArray(), 0);
            var std = torch.cat(indices.Select(i => Posterior(i).Std).ToArray(), 0);
            var eps = torch.randn(mean.shape, generator).to(device);
            latents = model.Vae.Scale(mean.add(std.mul(eps)));
        }
        var noise = torch.randn(latents.shape, generator).to(device);
        // Offset noise lets a style adapter move the mean colour, which plain noise teaches the model to keep.
        noise = OffsetNoise.Add(noise, Spec.NoiseOffset, generator);

        var timesteps = new long[batch];
        var noisy = new Tensor[batch];
        for (int i = 0; i < batch; i++)
        {
            timesteps[i] = Math.Min(schedule.TrainTimesteps - 1, (long)(StepRandom.Uniform(stepSeed, i) * schedule.TrainTimesteps));
            noisy[i] = schedule.AddNoise(latents.narrow(0, i, 1), noise.narrow(0, i, 1), timesteps[i]);
        }
        var tokenizer = model.Tokenizer;
        int length = tokenizer.Options.MaxLength;
        var ids = new long[batch * length];
        for (int i = 0; i < batch; i++)
        {
            var tokens = tokenizer.Tokenize(examples[indices[i]].Caption).Ids;
            for (int j = 0; j < tokens.Length; j++) ids[i * length + j] = tokens[j];
        }
        var input = torch.tensor<long>(ids.AsSpan(), [batch, length], device);
        Tensor hidden;
        if (trainTextEncoder) hidden = model.TextEncoder.Encode(input);
        else
            using (torch.no_grad())
                hidden = model.TextEncoder.Encode(input);
        var t = torch.tensor<long>(timesteps.AsSpan(), [batch], device);
        var prediction = model.Unet.forward(torch.cat(noisy, 0), t, hidden);
        return F.mse_loss(prediction, noise);
    }

    // The VAE posterior of an example, encoded once (the encoder is frozen) and kept for later steps.
    private (Tensor Mean, Tensor Std) Posterior(int index)
    {
        if (posteriors[index] is { } cached) return cached;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var image = Batches.Images([examples[index]]).to(model.Device);
        using var posterior = model.Vae.Encode(image);
        var entry = (posterior.Mean.clone().DetachFromDisposeScope(), posterior.Std.clone().DetachFromDisposeScope());
        posteriors[index] = entry;
        return entry;
    }

    // Example k of the stream: position k mod N of epoch k / N's seeded shuffle (Fisher-Yates).
    private int ExampleIndex(long k)
    {
        int n = examples.Count;
        long epoch = k / n;
        if (shuffle.Epoch != epoch)
        {
            var order = Enumerable.Range(0, n).ToArray();
            ulong seed = StepRandom.Seed(Spec.Seed, ShufflePhase, epoch);
            for (int i = n - 1; i > 0; i--)
            {
                int j = (int)Math.Min(i, (long)(StepRandom.Uniform(seed, i) * (i + 1)));
                (order[i], order[j]) = (order[j], order[i]);
            }
            shuffle = (epoch, order);
        }
        return shuffle.Order[(int)(k % n)];
    }

    private List<LoraLayerWeights> CreateLayers()
    {
        var result = new List<LoraLayerWeights>();
        using var generator = new Generator(StepRandom.Mix(Spec.Seed ^ InitSalt));
        var components = new List<(LoraComponent Component, string Prefix, Module Root, IReadOnlyList<string> Projections)>
        {
            (LoraComponent.Unet, "unet.", model.Unet, UnetProjections),
        };
        if (Spec.TrainTextEncoder) components.Add((LoraComponent.TextEncoder, "text_encoder.", model.TextEncoder, TextEncoderProjections));
        try
        {
            foreach (var (component, prefix, root, projections) in components)
            {
                var found = root.NamedModules()
                    .Where(m => m.Value is Linear && projections.Any(p => m.Key.EndsWith("." + p, StringComparison.Ordinal)))
                    .OrderBy(m => m.Key, StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                    throw new ArgumentException($"the model's {component} has no attention projections ({string.Join(", ", projections)}) to adapt");
                foreach (var (name, module) in found)
                {
                    var weight = ((Linear)module).Weight;
                    long outF = weight.size(0), inF = weight.size(1);
                    double bound = 1 / Math.Sqrt(inF);
                    using var scope = torch.NewDisposeScope();
                    var down = torch.rand([Spec.Rank, inF], generator).mul_(2 * bound).sub_(bound).to(model.Device)
                        .contiguous().requires_grad_().DetachFromDisposeScope();
                    var up = torch.zeros([outF, Spec.Rank], ScalarType.Float32, model.Device).requires_grad_().DetachFromDisposeScope();
                    var target = new LoraTarget(component, name, LoraLayerKind.Linear, Spec.Rank, Spec.Alpha,
                        prefix + name + ".lora_A.weight", prefix + name + ".lora_B.weight", weight.shape);
                    result.Add(new LoraLayerWeights(target, down, up));
                }
            }
        }
        catch
        {
            foreach (var l in result) l.Dispose();
            throw;
        }
        return result;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Adapter.Dispose();
        foreach (var p in posteriors)
            if (p is { } entry)
            {
                entry.Mean.Dispose();
                entry.Std.Dispose();
            }
    }
}
