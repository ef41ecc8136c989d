using System.Globalization;
using System.Text;

namespace GenArt.Server.Metrics;

/// <summary>A Prometheus histogram: cumulative bucket counts, sum and count, thread-safe.</summary>
internal sealed class Histogram(string name, string help, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly Lock _gate = new();
    private double _sum;
    private long _count;

    public void Observe(double value)
    {
        lock (_gate)
        {
            int i = 0;
            while (i < bounds.Length && value > bounds[i]) i++;
            _counts[i]++;
            _sum += value;
            _count++;
        }
    }

    public void Write(StringBuilder text)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" histogram\n");
        lock (_gate)
        {
            long cumulative = 0;
            for (int i = 0; i < bounds.Length; i++)
            {
                cumulative += _counts[i];
                text.Append(name).Append("_bucket{le=\"").Append(Format(bounds[i])).Append("\"} ").Append(cumulative).Append('\n');
            }
            text.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(_count).Append('\n');
            text.Append(name).Append("_sum ").Append(Format(_sum)).Append('\n');
            text.Append(name).Append("_count ").Append(_count).Append('\n');
        }
    }

    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
