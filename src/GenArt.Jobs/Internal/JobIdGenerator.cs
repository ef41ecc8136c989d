using System.Security.Cryptography;

namespace GenArt.Jobs.Internal;

/// <summary>Monotonic ULID generation: within one millisecond the random part counts up, so ids stay ordered.</summary>
internal static class JobIdGenerator
{
    private static readonly Lock Gate = new();
    private static long _lastMs = -1;
    private static ushort _hi;
    private static ulong _lo;

    internal static string Next(DateTimeOffset now)
    {
        var ms = Math.Max(0, now.ToUnixTimeMilliseconds());
        lock (Gate)
        {
            // A clock that steps back reuses the last millisecond rather than breaking the order.
            if (ms <= _lastMs)
            {
                ms = _lastMs;
                if (++_lo == 0 && ++_hi == 0)
                    ms = ++_lastMs; // 2^80 ids in one millisecond: move to the next one.
            }
            else
            {
                Span<byte> random = stackalloc byte[10];
                RandomNumberGenerator.Fill(random);
                // Keep the top bit clear so the counter has room to grow within the millisecond.
                _hi = (ushort)(BitConverter.ToUInt16(random) & 0x7FFF);
                _lo = BitConverter.ToUInt64(random[2..]);
                _lastMs = ms;
            }
            return Crockford32.Encode(ms, _hi, _lo);
        }
    }
}
