using Microsoft.AspNetCore.Http;

namespace GenArt.Rpc.Server;

/// <summary>What a handler knows about, and can do to, the call it serves.</summary>
public abstract class ServerCallContext
{
    /// <summary>"/package.Service/Method".</summary>
    public abstract string Method { get; }

    /// <summary>The :authority of the request.</summary>
    public abstract string Host { get; }

    /// <summary>"ipv4:1.2.3.4:5678" / "ipv6:[::1]:5678".</summary>
    public abstract string Peer { get; }

    /// <summary>Custom request metadata (protocol headers such as content-type, te and grpc-* removed).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>The call's deadline (UTC) from grpc-timeout, or <see cref="DateTime.MaxValue"/>.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>Cancelled when the client cancels (RST_STREAM), disconnects, or the deadline passes.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Trailing metadata sent with the status. Add to it any time before the handler returns.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>The status to end with when the handler returns normally (default OK).</summary>
    public abstract Status Status { get; set; }

    /// <summary>Default write options for response messages.</summary>
    public abstract WriteOptions? WriteOptions { get; set; }

    /// <summary>
    /// Response compression ("gzip", "deflate", null = none) for this call. Effective only if set before the
    /// response headers are sent and only if the client's grpc-accept-encoding lists it.
    /// </summary>
    public abstract string? ResponseCompression { get; set; }

    /// <summary>Whether the most recently read request message had the compressed flag set.</summary>
    public abstract bool RequestMessageCompressed { get; }

    /// <summary>Sends response headers now (at most once; otherwise they go with the first message).</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);

    /// <summary>The underlying HTTP context (escape hatch: connection info, TLS, features).</summary>
    public abstract HttpContext HttpContext { get; }
}
