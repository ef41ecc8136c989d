namespace GenArt.Jobs.Tests;

public sealed class FakeTimeProviderTests
{
    [Test]
    public void Timers_fire_only_when_time_reaches_them_in_due_order()
    {
        var clock = new FakeTimeProvider();
        var start = clock.GetUtcNow();
        var fired = new List<(string, DateTimeOffset)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.GetUtcNow())), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.GetUtcNow())), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(fired, Is.Empty);
        clock.Advance(TimeSpan.FromSeconds(9));

        Assert.That(fired, Is.EqualTo(new[] { ("early", start.AddSeconds(2)), ("late", start.AddSeconds(5)) }));
        Assert.That(clock.GetUtcNow(), Is.EqualTo(start.AddSeconds(10)));
        Assert.That(clock.PendingTimers, Is.Zero);
    }

    [Test]
    public void Periodic_and_disposed_timers()
    {
        var clock = new FakeTimeProvider();
        var ticks = 0;
        var periodic = clock.CreateTimer(_ => ticks++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(3.5));
        periodic.Dispose();
        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.That(ticks, Is.EqualTo(3));
    }

    [Test]
    public void Task_waits_on_the_fake_clock()
    {
        var clock = new FakeTimeProvider();
        var never = new TaskCompletionSource();

        var wait = never.Task.WaitAsync(TimeSpan.FromMinutes(1), clock);
        Assert.That(wait.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.That(async () => await wait.WaitAsync(TimeSpan.FromSeconds(10)), Throws.TypeOf<TimeoutException>());
    }
}
