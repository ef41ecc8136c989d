namespace GenArt.Jobs;

/// <summary>
/// The registry's naming rule. An adapter name is 1-64 characters: a lower-case ASCII letter or digit, then lower-case
/// letters, digits, '.', '_' or '-'. So a name is never empty, never starts with a dot (no hidden files, no "." or
/// ".."), holds no path separator, NUL, whitespace or non-ASCII character, and can be used in a Redis key or a file
/// name without escaping. Tenants follow the key store's rule: 1-64 ASCII letters, digits, '-', '_' or '.'.
/// </summary>
public static class AdapterNaming
{
    /// <summary>Longest adapter name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The rule, as shown in error messages.</summary>
    public const string Rule = "1-64 characters: a lower-case letter or digit, then lower-case letters, digits, '.', '_' or '-'";

    /// <summary>Null when <paramref name="name"/> follows the rule, otherwise what is wrong with it.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "is required";
        if (name.Length > MaxNameLength) return $"must be at most {MaxNameLength} characters, got {name.Length}";
        if (name.Contains("..", StringComparison.Ordinal)) return "must not contain '..'";
        if (name.Contains('/') || name.Contains('\\')) return "must not contain a path separator";
        if (name[0] == '.') return "must not start with '.'";
        if (!IsLeading(name[0]) || !name.All(IsInner))
        {
            char bad = !IsLeading(name[0]) ? name[0] : name.First(c => !IsInner(c));
            return $"character {Describe(bad)} is not allowed; {Rule}";
        }
        return null;
    }

    /// <summary>Whether <paramref name="name"/> follows the rule.</summary>
    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Whether <paramref name="tenant"/> is a valid tenant id.</summary>
    public static bool IsValidTenant(string? tenant) =>
        !string.IsNullOrEmpty(tenant) && tenant.Length <= 64 && tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Throws <see cref="ArgumentException"/> unless the tenant and name are valid.</summary>
    public static void ThrowIfInvalid(string tenant, string name)
    {
        if (!IsValidTenant(tenant)) throw new ArgumentException($"'{tenant}' is not a valid tenant id", nameof(tenant));
        if (Problem(name) is string problem) throw new ArgumentException($"adapter name {problem}", nameof(name));
    }

    /// <summary>Whether <paramref name="sha256"/> is 64 lower-case hex digits.</summary>
    public static bool IsSha256(string? sha256) =>
        sha256 is { Length: 64 } && sha256.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static bool IsLeading(char c) => char.IsAsciiDigit(c) || c is >= 'a' and <= 'z';

    private static bool IsInner(char c) => IsLeading(c) || c is '.' or '_' or '-';

    private static string Describe(char c) => c is >= ' ' and <= '~' ? $"'{c}'" : $"U+{(int)c:X4}";
}
