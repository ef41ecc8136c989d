using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using GenArt.Jobs.Internal;

namespace GenArt.Jobs;

/// <summary>
/// A job's identity: 26 characters of Crockford base32 (digits and upper-case letters, URL-safe), the first ten
/// encoding the creation time in milliseconds and the rest randomness, so ordinal string order is creation order.
/// </summary>
/// <remarks>
/// The layout is that of a ULID (https://github.com/ulid/spec): ids made in one process within the same
/// millisecond increase by one in their random part, so they stay strictly ordered, and ids made on different
/// front ends collide only with probability 2^-80 per millisecond.
/// </remarks>
[JsonConverter(typeof(JobIdJsonConverter))]
public readonly record struct JobId : IComparable<JobId>
{
    /// <summary>Length of the text form.</summary>
    public const int Length = 26;

    private readonly string? _value;

    private JobId(string value) => _value = value;

    /// <summary>The text form; empty for <c>default</c>, which is never a valid id.</summary>
    public string Value => _value ?? "";

    /// <summary>True for <c>default(JobId)</c>.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>A new id stamped with <paramref name="time"/>'s current time (the system clock when null).</summary>
    public static JobId New(TimeProvider? time = null) =>
        new(JobIdGenerator.Next((time ?? TimeProvider.System).GetUtcNow()));

    /// <summary>Parses the text form; throws <see cref="FormatException"/> naming the rule it breaks.</summary>
    public static JobId Parse(string text)
    {
        if (!TryParse(text, out var id))
            throw new FormatException(
                $"'{text}' is not a job id: expected {Length} Crockford base32 characters (0-9, A-Z without I, L, O, U).");
        return id;
    }

    /// <summary>Parses the text form; lower case is accepted and normalised to upper case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out JobId id)
    {
        id = default;
        if (text is null || text.Length != Length || !Crockford32.IsValid(text))
            return false;
        id = new JobId(text.ToUpperInvariant());
        return true;
    }

    /// <summary>The creation time encoded in the id, to the millisecond.</summary>
    public DateTimeOffset Timestamp => IsEmpty
        ? DateTimeOffset.UnixEpoch
        : DateTimeOffset.FromUnixTimeMilliseconds(Crockford32.DecodeTimestamp(Value));

    /// <inheritdoc />
    public int CompareTo(JobId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
