namespace GenArt.Diffusion.Models.Blocks;

/// <summary>A model config.json that is malformed, inconsistent, or asks for a feature this engine does not
/// implement. <see cref="Field"/> names the config field at fault.</summary>
public sealed class ModelConfigException(string field, string message) : Exception($"config field '{field}': {message}")
{
    public string Field { get; } = field;
}
