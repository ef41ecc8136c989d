namespace GenArt.Jobs.Internal;

/// <summary>Crockford base32 as ULIDs use it: 48-bit time in 10 characters, 80 random bits in 16.</summary>
internal static class Crockford32
{
    internal const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    internal static bool IsValid(string text)
    {
        foreach (var c in text)
            if (Decode(c) < 0)
                return false;
        // Ten characters carry 50 bits; the first may only use the low three so the time fits 48 bits.
        return Decode(text[0]) <= 7;
    }

    internal static int Decode(char c)
    {
        var upper = char.ToUpperInvariant(c);
        return upper > 127 ? -1 : Alphabet.IndexOf(upper);
    }

    internal static long DecodeTimestamp(string text)
    {
        long ms = 0;
        for (var i = 0; i < 10; i++)
            ms = (ms << 5) | (uint)Decode(text[i]);
        return ms;
    }

    /// <summary>Writes a 48-bit time and an 80-bit random part (hi 16 bits, lo 64 bits).</summary>
    internal static string Encode(long ms, ushort randomHi, ulong randomLo)
    {
        Span<char> chars = stackalloc char[26];
        for (var i = 9; i >= 0; i--, ms >>= 5)
            chars[i] = Alphabet[(int)(ms & 31)];
        // 80 bits as 16 groups of five, least significant last.
        var lo = randomLo;
        var hi = randomHi;
        for (var i = 25; i >= 10; i--)
        {
            chars[i] = Alphabet[(int)(lo & 31)];
            lo = (lo >> 5) | ((ulong)(hi & 31) << 59);
            hi >>= 5;
        }
        return new string(chars);
    }
}
