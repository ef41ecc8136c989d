namespace GenArt.Server.Adapters;

/// <summary>What the engine read from an adapter file that fits its base model.</summary>
/// <param name="Layout">Key layout: "kohya", "diffusers" or "peft".</param>
/// <param name="Rank">Largest rank among its layers.</param>
/// <param name="Alpha">Alpha of its layers (the rank when the file has none).</param>
/// <param name="TargetCount">Number of adapted layers.</param>
public sealed record AdapterInspection(string Layout, int Rank, double Alpha, int TargetCount);

/// <summary>The file is not a LoRA adapter for the base model; the message names the problem.</summary>
public sealed class AdapterRejectedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Checks an uploaded file against a base model without loading either: the front end never touches a tensor, so
/// the process that knows the model files (the engine) supplies this.
/// </summary>
public interface IAdapterInspector
{
    /// <summary>Reads <paramref name="path"/> and checks every target against <paramref name="baseModel"/>'s shapes.</summary>
    /// <exception cref="AdapterRejectedException">The file is not a LoRA for that model (corrupt, unknown keys, wrong shapes...).</exception>
    AdapterInspection Inspect(string path, string baseModel);
}
