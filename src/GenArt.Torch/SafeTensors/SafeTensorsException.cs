namespace GenArt.Torch.SafeTensors;

/// <summary>A safetensors file broke a rule of the format. The message names the file and the rule.</summary>
public sealed class SafeTensorsException : Exception
{
    public SafeTensorsException(string path, string rule, string detail)
        : base($"{path}: {rule}: {detail}")
    {
        Path = path;
        Rule = rule;
    }

    public string Path { get; }

    /// <summary>A short stable name of the broken rule (e.g. "header-too-large", "offsets-not-contiguous").</summary>
    public string Rule { get; }
}
