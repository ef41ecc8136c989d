using System.Text.Json.Serialization;

namespace GenArt.Jobs;

/// <summary>
/// Source-generated JSON for everything the queue stores: entries, events, job status and dead letters.
/// Property names are camelCase; enums travel as names; event bodies carry a <c>type</c> discriminator.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QueueEntry))]
[JsonSerializable(typeof(JobEvent))]
[JsonSerializable(typeof(JobEventBody))]
[JsonSerializable(typeof(JobInfo))]
[JsonSerializable(typeof(DeadLetter))]
[JsonSerializable(typeof(JobError))]
public sealed partial class JobsJsonContext : JsonSerializerContext;
