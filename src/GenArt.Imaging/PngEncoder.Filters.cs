namespace GenArt.Imaging;

public static partial class PngEncoder
{
    /// <summary>
    /// The five filter types of PNG filter method 0 (PNG spec 9.2): None, Sub, Up, Average, Paeth, each
    /// predicting a byte from the byte one pixel to the left (a), above (b) and above-left (c). Bytes before
    /// the row start and rows above the first are zero.
    /// </summary>
    private sealed class ScanlineFilter
    {
        private readonly int _bpp;
        private readonly byte[][] _candidates;

        public ScanlineFilter(int stride, int bytesPerPixel)
        {
            _bpp = bytesPerPixel;
            _candidates = new byte[5][];
            for (int i = 0; i < 5; i++)
                _candidates[i] = new byte[stride + 1];
        }

        public ReadOnlySpan<byte> Unfiltered(ReadOnlySpan<byte> row)
        {
            var output = _candidates[0];
            output[0] = 0;
            row.CopyTo(output.AsSpan(1));
            return output;
        }

        /// <summary>The filtered row (type byte first) with the smallest sum of absolute signed values (spec 12.8).</summary>
        public ReadOnlySpan<byte> Best(ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous)
        {
            long bestSum = long.MaxValue;
            int best = 0;
            for (int type = 0; type < 5; type++)
            {
                var output = _candidates[type];
                output[0] = (byte)type;
                long sum = 0;
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= _bpp ? row[i - _bpp] : 0;
                    int b = previous.IsEmpty ? 0 : previous[i];
                    int c = i >= _bpp && !previous.IsEmpty ? previous[i - _bpp] : 0;
                    int predicted = type switch
                    {
                        1 => a,
                        2 => b,
                        3 => (a + b) >> 1,
                        4 => Paeth(a, b, c),
                        _ => 0,
                    };
                    byte filtered = (byte)(row[i] - predicted);
                    output[i + 1] = filtered;
                    int signed = (sbyte)filtered;
                    sum += signed < 0 ? -signed : signed;
                }
                if (sum < bestSum)
                {
                    bestSum = sum;
                    best = type;
                }
            }
            return _candidates[best];
        }

        // PNG spec 9.4: the neighbour closest to a + b - c, ties broken in the order a, b, c.
        internal static int Paeth(int a, int b, int c)
        {
            int p = a + b - c;
            int pa = Math.Abs(p - a);
            int pb = Math.Abs(p - b);
            int pc = Math.Abs(p - c);
            if (pa <= pb && pa <= pc)
                return a;
            return pb <= pc ? b : c;
        }
    }
}
