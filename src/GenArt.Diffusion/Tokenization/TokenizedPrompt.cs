namespace GenArt.Diffusion.Tokenization;

/// <summary>A prompt laid out for the text encoder.</summary>
/// <param name="Ids">Exactly <c>MaxLength</c> ids: start token, content, end token, padding.</param>
/// <param name="ContentTokenCount">Content tokens kept (between the start and end tokens).</param>
/// <param name="DroppedTokenCount">Content tokens cut off because the prompt was too long.</param>
/// <param name="EndIndex">Position of the end token that closes the content.</param>
public sealed record TokenizedPrompt(int[] Ids, int ContentTokenCount, int DroppedTokenCount, int EndIndex)
{
    /// <summary>True when the prompt did not fit and its tail was dropped; the pipeline should warn.</summary>
    public bool Truncated => DroppedTokenCount > 0;
}
