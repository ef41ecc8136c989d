using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;

namespace GenArt.Server.FineTunes;

/// <summary>
/// The fine-tunes' folders in the data directory, shared with the workers: <c>{data}/finetunes/{TrainingSet}/</c>,
/// named by the job id, holds the prepared set in <c>set/</c> (<see cref="TrainingSetFolder"/>) and the worker's
/// <c>checkpoints/</c>. The front end writes <c>set/</c>; the worker deletes the whole folder when the job ends.
/// </summary>
public sealed class TrainingSets(string dataDirectory)
{
    /// <summary>The folder under which every fine-tune has its own.</summary>
    public string Root { get; } = Path.Combine(dataDirectory, "finetunes");

    /// <summary>The folder of one fine-tune.</summary>
    public string RunFolder(string trainingSet) => Path.Combine(Root, trainingSet);

    /// <summary>Where the prepared set of a fine-tune lies.</summary>
    public string SetFolder(string trainingSet) => Path.Combine(RunFolder(trainingSet), "set");

    /// <summary>
    /// Writes the set to <c>set.partial/</c> beside its final place, then renames it to <c>set/</c>, so a worker never
    /// sees a half-written set; on any failure the fine-tune's folder is removed.
    /// </summary>
    public void Save(string trainingSet, IReadOnlyList<TrainingExample> examples)
    {
        string run = RunFolder(trainingSet);
        try
        {
            Directory.CreateDirectory(run);
            string partial = Path.Combine(run, "set.partial");
            TrainingSetFolder.Save(partial, examples);
            Directory.Move(partial, SetFolder(trainingSet));
        }
        catch
        {
            Delete(trainingSet);
            throw;
        }
    }

    /// <summary>Removes a fine-tune's folder and everything in it; false when it could not (a missing one is fine).</summary>
    public bool Delete(string trainingSet)
    {
        try
        {
            Directory.Delete(RunFolder(trainingSet), recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
