using System.Collections;
using System.Text;

namespace GenArt.Rpc;

/// <summary>
/// gRPC metadata (custom headers/trailers). Keys are lower-case ASCII; keys ending in "-bin" carry binary
/// values (base64 on the wire), all other keys carry printable-ASCII string values.
/// </summary>
public sealed class Metadata : IList<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = new();

    public static Metadata Empty => new();

    public int Count => _entries.Count;
    public bool IsReadOnly => false;

    public Entry this[int index]
    {
        get => _entries[index];
        set => _entries[index] = value;
    }

    public void Add(string key, string value) => _entries.Add(new Entry(key, value));
    public void Add(string key, byte[] value) => _entries.Add(new Entry(key, value));
    public void Add(Entry item) => _entries.Add(item);

    /// <summary>The last entry with this key, or null.</summary>
    public Entry? Get(string key)
    {
        key = key.ToLowerInvariant();
        for (int i = _entries.Count - 1; i >= 0; i--)
            if (_entries[i].Key == key) return _entries[i];
        return null;
    }

    public IEnumerable<Entry> GetAll(string key)
    {
        key = key.ToLowerInvariant();
        return _entries.Where(e => e.Key == key);
    }

    public string? GetValue(string key) => Get(key)?.Value;
    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    public void Clear() => _entries.Clear();
    public bool Contains(Entry item) => _entries.Contains(item);
    public void CopyTo(Entry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public int IndexOf(Entry item) => _entries.IndexOf(item);
    public void Insert(int index, Entry item) => _entries.Insert(index, item);
    public bool Remove(Entry item) => _entries.Remove(item);
    public void RemoveAt(int index) => _entries.RemoveAt(index);

    public override string ToString() => "[" + string.Join(", ", _entries) + "]";

    /// <summary>One metadata entry.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _bytes;

        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (IsBinaryKey(Key)) throw new ArgumentException($"Key '{Key}' ends in '-bin': use the byte[] overload.", nameof(key));
            ArgumentNullException.ThrowIfNull(value);
            foreach (char c in value)
                if (c < 0x20 || c > 0x7E)
                    throw new ArgumentException($"Metadata value for '{Key}' must be printable ASCII.", nameof(value));
            _value = value;
        }

        public Entry(string key, byte[] value)
        {
            Key = NormalizeKey(key);
            if (!IsBinaryKey(Key)) throw new ArgumentException($"Key '{Key}' must end in '-bin' for a binary value.", nameof(key));
            _bytes = value ?? throw new ArgumentNullException(nameof(value));
        }

        public string Key { get; }
        public bool IsBinary => _bytes is not null;

        /// <summary>The string value (ASCII keys). For binary entries, throws.</summary>
        public string Value => _value ?? throw new InvalidOperationException($"'{Key}' is a binary entry: use ValueBytes.");

        /// <summary>The value bytes (binary keys; for ASCII keys the ASCII bytes).</summary>
        public byte[] ValueBytes => _bytes ?? Encoding.ASCII.GetBytes(_value!);

        public override string ToString() => IsBinary ? $"{Key}={Convert.ToHexString(_bytes!)}" : $"{Key}={_value}";

        internal static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.Ordinal);

        private static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            key = key.ToLowerInvariant();
            foreach (char c in key)
            {
                bool ok = c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.';
                if (!ok) throw new ArgumentException($"Invalid metadata key '{key}': only [a-z0-9-_.] allowed.", nameof(key));
            }
            if (key.StartsWith("grpc-", StringComparison.Ordinal))
                throw new ArgumentException($"Metadata key '{key}' is reserved for gRPC.", nameof(key));
            return key;
        }
    }
}
