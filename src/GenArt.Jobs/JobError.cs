namespace GenArt.Jobs;

/// <summary>An error code with a message that is safe to show to the job's owner.</summary>
public sealed record JobError(JobErrorCode Code, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
