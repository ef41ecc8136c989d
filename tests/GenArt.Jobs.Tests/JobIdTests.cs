namespace GenArt.Jobs.Tests;

public sealed class JobIdTests
{
    [Test]
    public void Ids_sort_in_creation_order_within_and_across_milliseconds()
    {
        var clock = new FakeTimeProvider();
        var ids = new List<JobId>();
        for (var i = 0; i < 5_000; i++)
        {
            ids.Add(JobId.New(clock));
            if (i % 1_000 == 999)
                clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.That(ids.Select(i => i.Value), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
        Assert.That(ids, Is.Ordered);
    }

    [Test]
    public void Ids_are_url_safe_and_carry_their_creation_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2040, 5, 6, 7, 8, 9, 123, TimeSpan.Zero));

        var id = JobId.New(clock);

        Assert.That(id.Value, Has.Length.EqualTo(JobId.Length));
        Assert.That(id.Value, Does.Match("^[0-9A-HJKMNP-TV-Z]{26}$"));
        Assert.That(Uri.EscapeDataString(id.Value), Is.EqualTo(id.Value));
        Assert.That(id.Timestamp, Is.EqualTo(clock.GetUtcNow()));
    }

    [Test]
    public void A_clock_that_steps_back_does_not_break_the_order()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var later = JobId.New(clock);
        var earlierClock = new FakeTimeProvider(new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var next = JobId.New(earlierClock);

        Assert.That(next, Is.GreaterThan(later));
    }

    [Test]
    public void Parse_round_trips_and_accepts_lower_case()
    {
        var id = JobId.New();

        Assert.That(JobId.Parse(id.Value), Is.EqualTo(id));
        Assert.That(JobId.Parse(id.Value.ToLowerInvariant()), Is.EqualTo(id));
        Assert.That(id.ToString(), Is.EqualTo(id.Value));
    }

    [TestCase("")]
    [TestCase("01HZY3")]
    [TestCase("01HZY3M7K2Q8V9W0X1Y2Z3A4BI")] // I is not in the alphabet
    [TestCase("81HZY3M7K2Q8V9W0X1Y2Z3A4B5")] // time above 48 bits
    [TestCase("01HZY3M7K2Q8V9W0X1Y2Z3A4B5-")]
    public void Parse_refuses_text_that_is_not_an_id(string text)
    {
        Assert.That(JobId.TryParse(text, out _), Is.False);
        Assert.That(() => JobId.Parse(text), Throws.TypeOf<FormatException>().With.Message.Contains("Crockford base32"));
    }

    [Test]
    public void The_default_id_is_empty()
    {
        Assert.That(default(JobId).IsEmpty, Is.True);
        Assert.That(default(JobId).Value, Is.Empty);
        Assert.That(JobId.New().IsEmpty, Is.False);
    }
}
