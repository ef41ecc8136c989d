namespace GenArt.Redis.Internal;

/// <summary>Bounds the parser enforces so a corrupt or hostile stream cannot make it allocate without limit.</summary>
/// <param name="MaxBulkLength">Largest declared bulk/blob/verbatim length accepted (Redis' own proto-max-bulk-len defaults to 512 MB).</param>
/// <param name="MaxAggregateLength">Largest declared element count of one array, set, push or map (pairs count twice).</param>
/// <param name="MaxDepth">Deepest nesting of aggregates accepted.</param>
/// <param name="MaxLineLength">Longest simple string or error line accepted before its CRLF.</param>
internal readonly record struct RespLimits(long MaxBulkLength, int MaxAggregateLength, int MaxDepth, int MaxLineLength)
{
    public static RespLimits Default { get; } = new(512L * 1024 * 1024, 16 * 1024 * 1024, 64, 64 * 1024);
}
