namespace GenArt.Imaging;

/// <summary>
/// A PNG text chunk: a keyword and its text. Written as tEXt when the text is Latin-1 and as uncompressed
/// iTXt (UTF-8) otherwise (PNG spec 11.3.4).
/// </summary>
public sealed record PngTextEntry(string Keyword, string Text)
{
    /// <summary>Keyword A1111's WebUI and most tools read generation settings from.</summary>
    public const string ParametersKeyword = "parameters";

    /// <summary>Keyword of GenArt's JSON record of everything needed to reproduce an image.</summary>
    public const string GenArtKeyword = "genart";

    public static PngTextEntry Parameters(string text) => new(ParametersKeyword, text);

    public static PngTextEntry GenArt(string json) => new(GenArtKeyword, json);
}
