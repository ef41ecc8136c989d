namespace GenArt.Diffusion.Tokenization.Internal;

/// <summary>
/// CLIP's reversible byte-to-character table (GPT-2 style byte-level BPE): the printable bytes
/// '!'..'~', '¡'..'¬' and '®'..'ÿ' stand for themselves, and the remaining 68 bytes (controls, space,
/// DEL, C1, NBSP, soft hyphen) are given the characters U+0100 onwards in byte order, so no BPE symbol is
/// whitespace or a control.
/// </summary>
internal static class ByteLevel
{
    /// <summary>Character for each byte value.</summary>
    public static readonly char[] ByteToChar = new char[256];

    /// <summary>The 256 characters in the order CLIP lists them in its vocabulary (printable bytes first).</summary>
    public static readonly char[] VocabularyOrder = new char[256];

    private static readonly Dictionary<char, byte> CharToByte = new();

    static ByteLevel()
    {
        int n = 0;
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            if (IsPrintable(b))
            {
                ByteToChar[b] = (char)b;
                VocabularyOrder[n++] = (char)b;
            }
        }
        for (int b = 0; b < 256; b++)
        {
            if (!IsPrintable(b))
            {
                ByteToChar[b] = (char)(256 + next++);
                VocabularyOrder[n++] = ByteToChar[b];
            }
        }
        for (int b = 0; b < 256; b++)
            CharToByte[ByteToChar[b]] = (byte)b;
    }

    private static bool IsPrintable(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    public static bool TryGetByte(char c, out byte b) => CharToByte.TryGetValue(c, out b);
}
