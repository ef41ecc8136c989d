namespace GenArt.Rpc.Server;

/// <summary>Server-wide settings (per-method overrides via <see cref="MethodOptions"/>).</summary>
public sealed class RpcServerOptions
{
    /// <summary>Largest request message accepted, after decompression (default 4 MiB). Larger: RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = Internal.GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message sent (default unlimited). Larger: RESOURCE_EXHAUSTED.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>
    /// Compression for responses ("gzip", "deflate" or null for none, the default) when the client accepts it.
    /// A handler may override per call with <see cref="ServerCallContext.ResponseCompression"/>.
    /// </summary>
    public string? ResponseCompression { get; set; }

    /// <summary>Serve grpc.health.v1.Health (default true).</summary>
    public bool EnableHealth { get; set; } = true;

    /// <summary>Serve grpc.reflection.v1 and v1alpha ServerReflection (default true).</summary>
    public bool EnableReflection { get; set; } = true;

    /// <summary>Include exception messages in INTERNAL statuses sent to clients (default false: generic message).</summary>
    public bool EnableDetailedErrors { get; set; }
}

/// <summary>Per-method settings.</summary>
public sealed class MethodOptions
{
    /// <summary>Overrides <see cref="RpcServerOptions.MaxReceiveMessageSize"/> for this method.</summary>
    public int? MaxReceiveMessageSize { get; set; }
}
