namespace GenArt.Diffusion.Training;

/// <summary>How long and how one training phase runs.</summary>
public sealed record TrainingOptions
{
    /// <summary>Total optimizer steps of the phase; a resumed run stops at the same count.</summary>
    public long Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 2e-4;
    /// <summary>Linear warm-up from zero over this many steps (keeps the first Adam updates of a fresh model small).</summary>
    public long WarmupSteps { get; init; } = 50;
    public double WeightDecay { get; init; } = 1e-2;
    /// <summary>Global gradient-norm clip; null for none.</summary>
    public double? MaxGradNorm { get; init; } = 1.0;
    /// <summary>A checkpoint every this many steps (and always at the end).</summary>
    public long CheckpointEvery { get; init; } = 100;
    /// <summary>How many step checkpoints to keep on disk; older ones are deleted.</summary>
    public int KeepCheckpoints { get; init; } = 2;
    /// <summary>
    /// Decay of an exponential moving average of the trained weights (<see cref="WeightAverage"/>), kept beside each
    /// checkpoint and used in place of the last step's weights when the phase's result is taken; 0 keeps none. A
    /// run that turns it on part way starts the average at the weights it resumes from.
    /// </summary>
    public double AverageDecay
    {
        get => averageDecay;
        init => averageDecay = value == 0 || WeightAverage.IsValidDecay(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(AverageDecay), value, "the averaging decay must be 0 (none) or lie strictly between 0 and 1");
    }

    private readonly double averageDecay;
    /// <summary>Seeds initialisation, noise, timesteps and caption dropout.</summary>
    public ulong Seed { get; init; } = 20261122;

    internal double LearningRateAt(long step) =>
        WarmupSteps > 0 && step < WarmupSteps ? LearningRate * (step + 1) / WarmupSteps : LearningRate;
}

/// <summary>Progress of a phase after one step.</summary>
public readonly record struct TrainingProgress(string Phase, long Step, long TotalSteps, double Loss);
