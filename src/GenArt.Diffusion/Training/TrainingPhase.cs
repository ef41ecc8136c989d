using System.Globalization;
using GenArt.Torch;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Training;

/// <summary>
/// The loop every trainer shares: batches by step, AdamW with warm-up and clipping, a per-step loss log
/// (<c>loss.csv</c>), and checkpoints <c>step-NNNNNNNN/</c> (weights, optimizer state, and the weight average when
/// <see cref="TrainingOptions.AverageDecay"/> asks for one) that a later run resumes from.
/// Everything random in a step derives from (seed, phase, step) and the data index from the step, so the
/// checkpoint needs nothing else for a resumed run to equal an uninterrupted one.
/// </summary>
public abstract class TrainingPhase
{
    private const string WeightsFile = "weights.safetensors";
    private const string OptimizerFile = "optimizer.safetensors";
    private const string AverageFile = "average.safetensors";
    private WeightAverage? average;

    protected TrainingPhase(string folder, TrainingOptions options)
    {
        Folder = folder;
        Options = options;
    }

    /// <summary>Holds this phase's checkpoints and loss log.</summary>
    public string Folder { get; }

    public TrainingOptions Options { get; }

    public abstract string Name { get; }

    protected abstract int PhaseId { get; }

    /// <summary>The trained modules under the prefixes their weights are saved with.</summary>
    protected abstract IReadOnlyList<(string Prefix, Module Module)> TrainedModules { get; }

    /// <summary>The scalar loss of step <paramref name="step"/> with autograd enabled.</summary>
    protected abstract Tensor Loss(long step, ulong stepSeed);

    /// <summary>The step of the newest complete checkpoint in <paramref name="folder"/>, or 0.</summary>
    public static long LatestStep(string folder) => Checkpoints(folder).Select(c => c.Step).DefaultIfEmpty(0).Max();

    /// <summary>Loads the newest checkpoint's weights into the modules (no optimizer); false when there is none.</summary>
    public bool LoadLatestWeights()
    {
        long step = LatestStep(Folder);
        if (step == 0) return false;
        LoadWeights(Path.Combine(CheckpointPath(step), WeightsFile));
        return true;
    }

    /// <summary>Trains from the latest checkpoint (or from the modules as they are) up to <see cref="TrainingOptions.Steps"/>.</summary>
    /// <returns>The last step's loss, or NaN when nothing was left to do.</returns>
    public double Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(Folder);
        var named = TrainedModules.SelectMany(m => m.Module.NamedParameters(m.Prefix)).ToList();
        foreach (var (_, module) in TrainedModules)
        {
            module.RequiresGrad(true);
            module.Train();
        }
        using var optimizer = new ManagedAdamW(named, Options.LearningRate, weightDecay: Options.WeightDecay);
        long step = LatestStep(Folder);
        if (step > 0)
        {
            LoadWeights(Path.Combine(CheckpointPath(step), WeightsFile));
            optimizer.Load(Path.Combine(CheckpointPath(step), OptimizerFile));
        }
        average?.Dispose();
        average = null;
        if (Options.AverageDecay != 0)
        {
            average = new WeightAverage(named, Options.AverageDecay);
            string saved = Path.Combine(CheckpointPath(step), AverageFile);
            if (step > 0 && File.Exists(saved)) average.Load(saved);
        }
        TruncateLog(step);
        double last = double.NaN;
        using var log = new StreamWriter(LogPath, append: true);
        while (step < Options.Steps && !cancel.IsCancellationRequested)
        {
            double loss;
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.ZeroGrad();
                var lossTensor = Loss(step, StepRandom.Seed(Options.Seed, PhaseId, step));
                lossTensor.backward();
                loss = lossTensor.item<float>();
                if (!double.IsFinite(loss)) throw new InvalidOperationException($"{Name}: the loss became {loss} at step {step}");
                optimizer.LearningRate = Options.LearningRateAt(step);
                optimizer.Update(Options.MaxGradNorm);
                average?.Update();
            }
            step++;
            last = loss;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step},{loss:R}"));
            if (step % Options.CheckpointEvery == 0 || step == Options.Steps)
            {
                log.Flush();
                SaveCheckpoint(step, named, optimizer);
            }
            progress?.Report(new TrainingProgress(Name, step, Options.Steps, loss));
        }
        if (cancel.IsCancellationRequested && step > LatestStep(Folder)) SaveCheckpoint(step, named, optimizer);
        foreach (var (_, module) in TrainedModules)
        {
            module.RequiresGrad(false);
            module.Eval();
        }
        return last;
    }

    /// <summary>
    /// After <see cref="Run"/>, replaces the modules' weights by their moving average when the options keep one
    /// (the weights to export); false, and nothing changed, when they do not.
    /// </summary>
    public bool UseAveragedWeights()
    {
        if (average is null) return false;
        average.CopyToParameters();
        average.Dispose();
        average = null;
        return true;
    }

    private string LogPath => Path.Combine(Folder, "loss.csv");

    private string CheckpointPath(long step) => Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"step-{step:D8}"));

    // Written to a scratch folder and renamed, so a run killed mid-write never leaves a half checkpoint as the latest.
    private void SaveCheckpoint(long step, List<KeyValuePair<string, Tensor>> named, ManagedAdamW optimizer)
    {
        string final = CheckpointPath(step);
        string scratch = final + ".partial";
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        Directory.CreateDirectory(scratch);
        SafeTensorsWriter.Save(Path.Combine(scratch, WeightsFile), named);
        optimizer.Save(Path.Combine(scratch, OptimizerFile));
        average?.Save(Path.Combine(scratch, AverageFile));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(scratch, final);
        foreach (var old in Checkpoints(Folder).OrderByDescending(c => c.Step).Skip(Math.Max(1, Options.KeepCheckpoints)))
            Directory.Delete(old.Path, recursive: true);
    }

    private void LoadWeights(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        using var noGrad = torch.no_grad();
        foreach (var (prefix, module) in TrainedModules)
            foreach (var (name, p) in module.NamedParameters(prefix))
            {
                using var saved = file.Load(name);
                p.copy_(saved);
            }
    }

    // Drops log lines past the checkpoint being resumed, which the interrupted run wrote but will redo.
    private void TruncateLog(long step)
    {
        if (!File.Exists(LogPath)) return;
        var kept = File.ReadAllLines(LogPath)
            .Where(l => long.TryParse(l.Split(',')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long s) && s <= step)
            .ToArray();
        File.WriteAllLines(LogPath, kept);
    }

    private static IEnumerable<(long Step, string Path)> Checkpoints(string folder)
    {
        if (!Directory.Exists(folder)) yield break;
        foreach (var dir in Directory.GetDirectories(folder, "step-*"))
        {
            string name = Path.GetFileName(dir);
            if (long.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out long step)
                && File.Exists(Path.Combine(dir, WeightsFile)) && File.Exists(Path.Combine(dir, OptimizerFile)))
                yield return (step, dir);
        }
    }
}
