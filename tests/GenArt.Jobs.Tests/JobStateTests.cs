namespace GenArt.Jobs.Tests;

public sealed class JobStateTests
{
    private static readonly JobState[] Terminal = [JobState.Succeeded, JobState.Failed, JobState.Cancelled, JobState.DeadLettered];

    [Test]
    public void Exactly_the_four_ending_states_are_terminal()
    {
        Assert.That(Enum.GetValues<JobState>().Where(s => s.IsTerminal()), Is.EquivalentTo(Terminal));
    }

    [Test]
    public void Nothing_leaves_a_terminal_state()
    {
        foreach (var from in Terminal)
            Assert.That(Enum.GetValues<JobState>().Where(to => from.CanTransitionTo(to)), Is.Empty, $"from {from}");
    }

    [TestCase(JobState.Queued, JobState.Running, true)]
    [TestCase(JobState.Queued, JobState.Cancelled, true)]
    [TestCase(JobState.Queued, JobState.DeadLettered, true)]
    [TestCase(JobState.Queued, JobState.Queued, false)]
    [TestCase(JobState.Running, JobState.Queued, true)]
    [TestCase(JobState.Running, JobState.Succeeded, true)]
    [TestCase(JobState.Running, JobState.Failed, true)]
    [TestCase(JobState.Running, JobState.Running, false)]
    public void Live_states_move_as_documented(JobState from, JobState to, bool allowed)
    {
        Assert.That(from.CanTransitionTo(to), Is.EqualTo(allowed));
    }
}
