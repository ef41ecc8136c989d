namespace GenArt.Diffusion.Tokenization.Internal;

/// <summary>
/// The "sloppy" Windows-1252 code page that ftfy uses to detect mojibake: bytes 0x80-0x9F take their
/// Windows-1252 meanings (WHATWG Encoding, index-windows-1252), and the five bytes that Windows-1252 leaves
/// unassigned (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 control with the same number, so every byte
/// round-trips.
/// </summary>
internal static class Windows1252
{
    private static readonly char[] High =
    [
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    ];

    private static readonly Dictionary<char, byte> Reverse = BuildReverse();

    public static char Decode(byte b) => b is >= 0x80 and <= 0x9F ? High[b - 0x80] : (char)b;

    /// <summary>
    /// The byte a character came from if the text was bytes decoded as Windows-1252 or Latin-1
    /// (C1 controls are accepted as their own byte values).
    /// </summary>
    public static bool TryEncode(char c, out byte b)
    {
        if (c <= '\u00FF')
        {
            b = (byte)c;
            return true;
        }
        return Reverse.TryGetValue(c, out b);
    }

    private static Dictionary<char, byte> BuildReverse()
    {
        var map = new Dictionary<char, byte>();
        for (int i = 0; i < High.Length; i++)
        {
            if (High[i] > '\u00FF')
                map[High[i]] = (byte)(0x80 + i);
        }
        return map;
    }
}
