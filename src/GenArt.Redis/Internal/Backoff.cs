namespace GenArt.Redis.Internal;

/// <summary>Exponential reconnect delays with "equal jitter".</summary>
/// <remarks>
/// The delay doubles per failed attempt up to a cap; a random half of it is added to a fixed half, so
/// many clients losing the same server do not reconnect in lockstep yet each still waits at least half
/// the nominal delay (AWS Architecture Blog, "Exponential Backoff and Jitter").
/// </remarks>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        double nominal = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        nominal = Math.Min(nominal, maxDelay.TotalMilliseconds);
        double half = nominal / 2;
        return TimeSpan.FromMilliseconds(half + random.NextDouble() * half);
    }
}
