using System.Net;

namespace GenArt.Rpc.Client;

/// <summary>Channel settings.</summary>
public sealed class RpcChannelOptions
{
    /// <summary>A handler to send requests with; null = a new <see cref="SocketsHttpHandler"/> owned by the channel.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Adjusts the channel's own SocketsHttpHandler (e.g. TLS validation). Ignored with <see cref="HttpHandler"/>.</summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; set; }

    /// <summary>Largest response message accepted, after decompression (default 4 MiB). Larger: RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = Internal.GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent (default unlimited). Larger: RESOURCE_EXHAUSTED.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Request compression ("gzip", "deflate", null = none) for calls that do not choose one.</summary>
    public string? Compression { get; set; }

    /// <summary>user-agent header value.</summary>
    public string UserAgent { get; set; } = "genart-rpc-dotnet/1.0";
}

/// <summary>Options of one call.</summary>
public sealed class CallOptions
{
    public static readonly CallOptions Default = new();

    /// <summary>Custom request metadata.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>Absolute deadline (UTC); sent as grpc-timeout and enforced locally (DEADLINE_EXCEEDED).</summary>
    public DateTime? Deadline { get; init; }

    /// <summary>Cancels the call (the stream is reset; the call ends CANCELLED).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Request compression for this call ("gzip", "deflate", "identity"); null = the channel's.</summary>
    public string? Compression { get; init; }

    /// <summary>Default write options of request messages.</summary>
    public WriteOptions? WriteOptions { get; init; }

    /// <summary>Convenience: a deadline <paramref name="timeout"/> from now.</summary>
    public static CallOptions WithTimeout(TimeSpan timeout, Metadata? headers = null, CancellationToken cancellationToken = default)
        => new() { Deadline = DateTime.UtcNow + timeout, Headers = headers, CancellationToken = cancellationToken };
}

/// <summary>
/// A client connection to one gRPC server address ("http://host:port" for h2c with prior knowledge,
/// "https://host:port" for TLS with ALPN h2). Thread-safe; calls are multiplexed over HTTP/2 connections.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private readonly HttpMessageInvoker _invoker;

    private RpcChannel(Uri address, RpcChannelOptions options)
    {
        Address = address;
        Options = options;
        HttpMessageHandler handler;
        bool dispose;
        if (options.HttpHandler is not null)
        {
            handler = options.HttpHandler;
            dispose = false;
        }
        else
        {
            var sockets = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                UseProxy = false,
                AllowAutoRedirect = false,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            };
            options.ConfigureHandler?.Invoke(sockets);
            handler = sockets;
            dispose = true;
        }
        _invoker = new HttpMessageInvoker(handler, dispose);
    }

    public static RpcChannel ForAddress(string address, RpcChannelOptions? options = null)
        => new(new Uri(address, UriKind.Absolute), options ?? new RpcChannelOptions());

    public static RpcChannel ForAddress(Uri address, RpcChannelOptions? options = null)
        => new(address, options ?? new RpcChannelOptions());

    public Uri Address { get; }
    public RpcChannelOptions Options { get; }
    internal HttpMessageInvoker Invoker => _invoker;

    /// <summary>Starts a unary call.</summary>
    public AsyncUnaryCall<TResponse> UnaryAsync<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options ?? CallOptions.Default);
        call.StartWithRequest(request);
        return new AsyncUnaryCall<TResponse>(call, call.ReadSingleResponseAsync());
    }

    /// <summary>Starts a server-streaming call.</summary>
    public AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, TRequest request, CallOptions? options = null)
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options ?? CallOptions.Default);
        call.StartWithRequest(request);
        return new AsyncServerStreamingCall<TResponse>(call);
    }

    /// <summary>Starts a client-streaming call.</summary>
    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, CallOptions? options = null)
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options ?? CallOptions.Default);
        call.StartStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(call, call.ReadSingleResponseAsync());
    }

    /// <summary>Starts a bidirectional-streaming call.</summary>
    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, CallOptions? options = null)
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options ?? CallOptions.Default);
        call.StartStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call);
    }

    public void Dispose() => _invoker.Dispose();
}
