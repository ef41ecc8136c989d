using System.Text.Json;
using System.Text.Unicode;

namespace GenArt.Torch.SafeTensors;

/// <summary>
/// Parses and validates a safetensors header, making every check the format's reference implementation makes:
/// header length at most 100 MB and within the file; valid UTF-8 JSON object; known dtypes; shapes of
/// non-negative integers; element count × dtype size equal to the byte length (overflow-checked); offsets
/// contiguous from 0 in file order; the last offset at the end of the data. Duplicate names are refused too.
/// </summary>
internal static class SafeTensorsHeader
{
    internal const long MaxHeaderBytes = 100_000_000;

    internal static (Dictionary<string, TensorInfo> Tensors, Dictionary<string, string> Metadata) Parse(
        string path, ReadOnlySpan<byte> json, long dataLength)
    {
        if (!Utf8.IsValid(json))
            throw new SafeTensorsException(path, "header-not-utf8", "the header is not valid UTF-8");

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsException(path, "header-not-json", $"the header is not valid JSON ({e.Message})");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsException(path, "header-not-object", "the header must be a JSON object");

            var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                    throw new SafeTensorsException(path, "duplicate-name", $"'{prop.Name}' appears more than once in the header");
                if (prop.Name == "__metadata__")
                    ReadMetadata(path, prop.Value, metadata);
                else
                    tensors[prop.Name] = ReadTensor(path, prop.Name, prop.Value);
            }

            CheckLayout(path, tensors.Values, dataLength);
            return (tensors, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsException(path, "metadata-not-object", "__metadata__ must be an object of strings");
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsException(path, "metadata-not-string", $"__metadata__['{entry.Name}'] must be a string");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new SafeTensorsException(path, "duplicate-name", $"__metadata__ key '{entry.Name}' appears more than once");
        }
    }

    private static TensorInfo ReadTensor(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsException(path, "tensor-entry-invalid", $"'{name}' must be an object with dtype, shape and data_offsets");

        string? dtypeText = null;
        long[]? shape = null;
        long[]? offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype":
                    dtypeText = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()
                        : throw new SafeTensorsException(path, "tensor-entry-invalid", $"'{name}'.dtype must be a string");
                    break;
                case "shape":
                    shape = ReadLongs(path, name, "shape", field.Value);
                    break;
                case "data_offsets":
                    offsets = ReadLongs(path, name, "data_offsets", field.Value);
                    break;
                default:
                    throw new SafeTensorsException(path, "tensor-entry-invalid", $"'{name}' has an unknown field '{field.Name}'");
            }
        }

        if (dtypeText is null || shape is null || offsets is null)
            throw new SafeTensorsException(path, "tensor-entry-invalid", $"'{name}' needs dtype, shape and data_offsets");
        if (!SafeTensorsDType.TryParse(dtypeText, out var dtype))
            throw new SafeTensorsException(path, "unknown-dtype", $"'{name}' has dtype '{dtypeText}', which is not one of F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL");
        if (offsets.Length != 2)
            throw new SafeTensorsException(path, "tensor-entry-invalid", $"'{name}'.data_offsets must hold exactly [begin, end]");
        if (offsets[1] < offsets[0])
            throw new SafeTensorsException(path, "offsets-invalid", $"'{name}' ends ({offsets[1]}) before it begins ({offsets[0]})");

        long elements = 1;
        long bytes;
        try
        {
            foreach (var d in shape) elements = checked(elements * d);
            bytes = checked(elements * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new SafeTensorsException(path, "size-overflow", $"'{name}' has shape [{string.Join(", ", shape)}], whose byte size overflows");
        }
        if (bytes != offsets[1] - offsets[0])
            throw new SafeTensorsException(path, "size-mismatch",
                $"'{name}' is {dtypeText} [{string.Join(", ", shape)}] = {bytes} bytes but its data_offsets span {offsets[1] - offsets[0]}");
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadLongs(string path, string name, string field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsException(path, "tensor-entry-invalid", $"'{name}'.{field} must be an array of non-negative integers");
        var result = new long[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw new SafeTensorsException(path, "tensor-entry-invalid", $"'{name}'.{field}[{i}] must be a non-negative integer");
            result[i++] = v;
        }
        return result;
    }

    private static void CheckLayout(string path, IEnumerable<TensorInfo> tensors, long dataLength)
    {
        long expected = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin != expected)
                throw new SafeTensorsException(path, "offsets-not-contiguous",
                    $"'{t.Name}' begins at {t.Begin} but the previous tensor ends at {expected} (tensors must tile the data section from 0)");
            expected = t.End;
        }
        if (expected != dataLength)
            throw new SafeTensorsException(path, "data-length-mismatch",
                $"the tensors end at byte {expected} of the data section but it holds {dataLength} bytes");
    }
}
