namespace GenArt.Procedural.Tests;

public class SplitMix64Tests
{
    [Test]
    public void MatchesTheReferenceSequence()
    {
        // First outputs of Vigna's splitmix64.c for seeds 0 and 1234567.
        var zero = new SplitMix64(0);
        Assert.That(zero.NextUInt64(), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(zero.NextUInt64(), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(zero.NextUInt64(), Is.EqualTo(0x06C45D188009454FUL));
        var other = new SplitMix64(1234567);
        Assert.That(other.NextUInt64(), Is.EqualTo(0x599ED017FB08FC85UL));
        Assert.That(other.NextUInt64(), Is.EqualTo(0x2C73F08458540FA5UL));
    }

    [Test]
    public void BoundedDrawsStayInRangeAndCoverIt()
    {
        var rng = new SplitMix64(7);
        var seen = new int[5];
        for (int i = 0; i < 5000; i++)
        {
            int v = rng.NextInt(5);
            Assert.That(v, Is.InRange(0, 4));
            seen[v]++;
            double d = rng.NextDouble(2, 3);
            Assert.That(d, Is.GreaterThanOrEqualTo(2).And.LessThan(3));
        }
        Assert.That(seen, Has.All.InRange(850, 1150));
    }

    [Test]
    public void StreamsOfOneSeedDiffer()
    {
        var a = SplitMix64.ForStream(42, 1);
        var b = SplitMix64.ForStream(42, 2);
        var c = SplitMix64.ForStream(43, 1);
        ulong x = a.NextUInt64();
        Assert.That(x, Is.Not.EqualTo(b.NextUInt64()));
        Assert.That(x, Is.Not.EqualTo(c.NextUInt64()));
    }
}
