using GenArt.Redis.Internal;

namespace GenArt.Redis.Tests;

public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    [Test]
    public void Delay_doubles_per_attempt_within_half_to_full_of_the_nominal_value()
    {
        var random = new Random(7);
        for (int attempt = 0; attempt < 6; attempt++)
        {
            double nominal = 100 * Math.Pow(2, attempt);
            for (int i = 0; i < 200; i++)
            {
                double ms = Backoff.Delay(attempt, Base, Max, random).TotalMilliseconds;
                Assert.That(ms, Is.InRange(nominal / 2, nominal), $"attempt {attempt}");
            }
        }
    }

    [Test]
    public void Delay_is_capped_even_for_huge_attempt_numbers()
    {
        var random = new Random(7);
        foreach (int attempt in new[] { 6, 10, 31, 1000, int.MaxValue })
        {
            double ms = Backoff.Delay(attempt, Base, Max, random).TotalMilliseconds;
            Assert.That(ms, Is.InRange(2500, 5000), $"attempt {attempt}");
        }
    }

    [Test]
    public void Jitter_spreads_clients_apart()
    {
        var random = new Random(11);
        var delays = Enumerable.Range(0, 50).Select(_ => Backoff.Delay(3, Base, Max, random)).Distinct().Count();
        Assert.That(delays, Is.GreaterThan(40));
    }

    [Test]
    public void Negative_attempt_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Delay(-1, Base, Max, new Random(1)));
    }
}
