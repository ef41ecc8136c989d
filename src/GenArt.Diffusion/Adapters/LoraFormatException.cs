namespace GenArt.Diffusion.Adapters;

/// <summary>
/// A LoRA adapter file that cannot be used with the base model: not safetensors, corrupt, keys of no known layout,
/// targets the model does not have, or shapes that do not fit. The message names the file, the rule and the keys.
/// </summary>
public sealed class LoraFormatException : Exception
{
    public LoraFormatException(string path, string problem, IReadOnlyList<string>? keys = null, Exception? inner = null)
        : base(Compose(path, problem, keys ?? []), inner)
    {
        Path = path;
        Problem = problem;
        Keys = keys ?? [];
    }

    /// <summary>The adapter file.</summary>
    public string Path { get; }

    /// <summary>What is wrong, without the file name and keys.</summary>
    public string Problem { get; }

    /// <summary>The keys at fault (all of them, also when the message lists only the first few).</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>How many keys the message lists before "...".</summary>
    public const int KeysInMessage = 20;

    private static string Compose(string path, string problem, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0) return $"{path}: {problem}";
        var shown = string.Join(", ", keys.Take(KeysInMessage));
        var more = keys.Count > KeysInMessage ? $", ... ({keys.Count - KeysInMessage} more)" : "";
        return $"{path}: {problem} ({keys.Count} key(s): {shown}{more})";
    }
}
