using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Training.FineTune;

public sealed partial class LoraTrainer
{
    private const string AdapterStateFile = "adapter.safetensors";
    private const string OptimizerStateFile = "optimizer.safetensors";
    private const string StateFile = "state.json";

    /// <summary>The step of the newest complete checkpoint in <paramref name="folder"/>, or 0.</summary>
    public static long LatestCheckpointStep(string folder) => Checkpoints(folder).Select(c => c.Step).DefaultIfEmpty(0).Max();

    private static string CheckpointPath(string folder, long step) =>
        Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"step-{step:D8}"));

    // Written to step-N.partial/ and renamed, so a run killed mid-write never leaves a half checkpoint as the newest.
    private void SaveCheckpoint(string folder)
    {
        string final = CheckpointPath(folder, Step);
        string scratch = final + ".partial";
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        Directory.CreateDirectory(scratch);
        using (torch.no_grad()) SafeTensorsWriter.Save(Path.Combine(scratch, AdapterStateFile), named);
        optimizer.Save(Path.Combine(scratch, OptimizerStateFile));
        var state = new JsonObject
        {
            ["step"] = Step,
            ["spec"] = Spec.Fingerprint,
            ["images"] = dataHash,
        };
        File.WriteAllText(Path.Combine(scratch, StateFile), state.ToJsonString());
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(scratch, final);
        foreach (var old in Checkpoints(folder).OrderByDescending(c => c.Step).Skip(Spec.KeepCheckpoints))
            Directory.Delete(old.Path, recursive: true);
    }

    private void Resume(string folder, long step)
    {
        string dir = CheckpointPath(folder, step);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, StateFile)));
        var root = doc.RootElement;
        if (root.GetProperty("spec").GetString() != Spec.Fingerprint)
            throw new InvalidOperationException($"{dir}: the checkpoint was trained with another spec ({root.GetProperty("spec").GetString()}); " +
                $"this run's is {Spec.Fingerprint}. Use a new checkpoint folder.");
        if (root.GetProperty("images").GetString() != dataHash)
            throw new InvalidOperationException($"{dir}: the checkpoint was trained on other images or captions. Use a new checkpoint folder.");
        using (var file = SafeTensorsFile.Open(Path.Combine(dir, AdapterStateFile)))
        using (torch.no_grad())
        {
            foreach (var (key, p) in named)
            {
                using var saved = file.Load(key);
                p.copy_(saved);
            }
        }
        optimizer.Load(Path.Combine(dir, OptimizerStateFile));
        if (optimizer.Step != step)
            throw new InvalidOperationException($"{dir}: the optimizer state is at step {optimizer.Step}, the checkpoint at {step}");
        Step = step;
    }

    private static IEnumerable<(long Step, string Path)> Checkpoints(string folder)
    {
        if (!Directory.Exists(folder)) yield break;
        foreach (var dir in Directory.GetDirectories(folder, "step-*"))
        {
            string name = System.IO.Path.GetFileName(dir);
            if (long.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out long step)
                && File.Exists(System.IO.Path.Combine(dir, AdapterStateFile)) && File.Exists(System.IO.Path.Combine(dir, OptimizerStateFile))
                && File.Exists(System.IO.Path.Combine(dir, StateFile)))
                yield return (step, dir);
        }
    }

    // Pixels and captions of every example in order: a checkpoint resumes only the same training set.
    private static string HashOf(IReadOnlyList<TrainingExample> examples)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var e in examples)
        {
            sha.AppendData(BitConverter.GetBytes(e.Size));
            sha.AppendData(e.Rgb);
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(e.Caption));
            sha.AppendData([0]);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
