namespace GenArt.Diffusion.Tokenization;

/// <summary>How special tokens written inside a prompt are recognised.</summary>
public enum SpecialTokenHandling
{
    /// <summary>
    /// openai/CLIP <c>SimpleTokenizer</c>: the whole prompt is cleaned first, then the pre-tokenizer picks out
    /// <c>&lt;|startoftext|&gt;</c> and <c>&lt;|endoftext|&gt;</c>. A pad token such as <c>!</c> is ordinary text.
    /// </summary>
    OpenAiClip,

    /// <summary>
    /// transformers' <c>CLIPTokenizer</c>, which diffusers pipelines use: the raw prompt is first split on the
    /// special tokens (start, end and the pad token), exactly as written, and each remaining piece is cleaned
    /// and tokenized on its own. With the SD 2.x pad token <c>!</c>, every literal "!" becomes id 0 instead of
    /// the BPE token <c>!&lt;/w&gt;</c> (256).
    /// </summary>
    HuggingFace,
}

/// <summary>Sequence layout for <see cref="ClipTokenizer.Tokenize"/>.</summary>
public sealed record ClipTokenizerOptions
{
    /// <summary>Total length including start and end tokens (CLIP's context length is 77).</summary>
    public int MaxLength { get; init; } = 77;

    /// <summary>
    /// The padding token: <c>&lt;|endoftext|&gt;</c> for SD 1.x tokenizers, <c>!</c> (id 0) for SD 2.x.
    /// </summary>
    public string PadToken { get; init; } = "<|endoftext|>";

    /// <summary>See <see cref="SpecialTokenHandling"/>.</summary>
    public SpecialTokenHandling SpecialTokens { get; init; } = SpecialTokenHandling.OpenAiClip;

    /// <summary>SD 1.x layout as openai/CLIP <c>clip.tokenize(truncate=True)</c> produces it.</summary>
    public static ClipTokenizerOptions StableDiffusion1 { get; } = new();

    /// <summary>SD 2.x layout: padded with <c>!</c>, special-token handling as diffusers (transformers) does it.</summary>
    public static ClipTokenizerOptions StableDiffusion2 { get; } = new() { PadToken = "!", SpecialTokens = SpecialTokenHandling.HuggingFace };
}
