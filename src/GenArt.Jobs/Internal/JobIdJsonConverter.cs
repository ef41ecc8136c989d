using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenArt.Jobs.Internal;

/// <summary>A job id travels as its text form.</summary>
internal sealed class JobIdJsonConverter : JsonConverter<JobId>
{
    public override JobId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (!JobId.TryParse(text, out var id))
            throw new JsonException($"'{text}' is not a job id.");
        return id;
    }

    public override void Write(Utf8JsonWriter writer, JobId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
