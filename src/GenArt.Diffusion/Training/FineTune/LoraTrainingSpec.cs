using System.Globalization;

namespace GenArt.Diffusion.Training.FineTune;

/// <summary>What a LoRA fine-tune trains and how: the adapter's shape, the optimizer and the schedule.</summary>
public sealed record LoraTrainingSpec
{
    /// <summary>r: rows of each layer's down matrix A. 1-128.</summary>
    public int Rank { get; init; } = 8;

    /// <summary>alpha: each layer adds (alpha / r) B A x. Greater than 0.</summary>
    public double Alpha { get; init; } = 8;

    /// <summary>Optimizer steps. 1-100,000.</summary>
    public long Steps { get; init; } = 300;

    /// <summary>Images per step. 1-64.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>AdamW learning rate of the adapter weights.</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Linear warm-up from zero over this many steps.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>AdamW's decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-2;

    /// <summary>Global gradient-norm clip; null for none.</summary>
    public double? MaxGradNorm { get; init; } = 1.0;

    /// <summary>Scale of the offset noise added per sample and latent channel (0 for none). It lets the adapter move
    /// the renders' overall colour, which zero-mean noise trains only weakly.</summary>
    public double NoiseOffset { get; init; }

    /// <summary>Seeds A's initialisation, the image order, the latent samples, the noise and the timesteps.</summary>
    public ulong Seed { get; init; }

    /// <summary>Also adapt the text encoder's attention projections (q_proj, k_proj, v_proj, out_proj).</summary>
    public bool TrainTextEncoder { get; init; }

    /// <summary>A checkpoint every this many steps (and at the end) when the run has a checkpoint folder.</summary>
    public long CheckpointEvery { get; init; } = 50;

    /// <summary>Step checkpoints kept on disk; older ones are deleted.</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>The word that calls up the fine-tune in prompts; stored in the adapter's metadata.</summary>
    public string TriggerWord { get; init; } = "";

    /// <summary>The base model's name, stored in the adapter's metadata.</summary>
    public string BaseModel { get; init; } = "";

    /// <summary>Refuses out-of-range values with the field's name.</summary>
    /// <exception cref="FineTuneInputException">A value is out of range.</exception>
    public void Validate()
    {
        if (Rank is < 1 or > 128) throw new FineTuneInputException("rank", $"must be 1-128, got {Rank}");
        if (!double.IsFinite(Alpha) || Alpha <= 0) throw new FineTuneInputException("alpha", $"must be a finite number > 0, got {Alpha}");
        if (Steps is < 1 or > 100_000) throw new FineTuneInputException("steps", $"must be 1-100000, got {Steps}");
        if (BatchSize is < 1 or > 64) throw new FineTuneInputException("batch_size", $"must be 1-64, got {BatchSize}");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0 || LearningRate > 1)
            throw new FineTuneInputException("learning_rate", $"must lie in (0, 1], got {LearningRate}");
        if (WarmupSteps < 0) throw new FineTuneInputException("warmup_steps", $"must be >= 0, got {WarmupSteps}");
        if (!double.IsFinite(WeightDecay) || WeightDecay < 0) throw new FineTuneInputException("weight_decay", $"must be >= 0, got {WeightDecay}");
        if (MaxGradNorm is double clip && !(clip > 0)) throw new FineTuneInputException("max_grad_norm", $"must be > 0 when given, got {clip}");
        if (!OffsetNoise.IsValidScale(NoiseOffset))
            throw new FineTuneInputException("noise_offset", $"must lie in [0, {OffsetNoise.MaxScale}], got {NoiseOffset}");
        if (CheckpointEvery < 1) throw new FineTuneInputException("checkpoint_every", $"must be >= 1, got {CheckpointEvery}");
        if (KeepCheckpoints < 1) throw new FineTuneInputException("keep_checkpoints", $"must be >= 1, got {KeepCheckpoints}");
        TrainingSetIntake.CheckTriggerWord(TriggerWord);
    }

    internal double LearningRateAt(long step) =>
        WarmupSteps > 0 && step < WarmupSteps ? LearningRate * (step + 1) / WarmupSteps : LearningRate;

    /// <summary>The fields that shape the trajectory; a checkpoint resumes only a run with the same ones.
    /// Steps, checkpointing and names may change between runs.</summary>
    internal string Fingerprint => string.Create(CultureInfo.InvariantCulture,
        $"r={Rank};alpha={Alpha:R};batch={BatchSize};lr={LearningRate:R};warmup={WarmupSteps};wd={WeightDecay:R};clip={MaxGradNorm:R};seed={Seed};te={TrainTextEncoder};offset={NoiseOffset:R}");
}
