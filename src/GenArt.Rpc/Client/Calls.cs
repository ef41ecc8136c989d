using System.Runtime.CompilerServices;

namespace GenArt.Rpc.Client;

/// <summary>State every client call exposes.</summary>
internal interface IClientCallState : IDisposable
{
    Task<Metadata> ResponseHeadersAsync { get; }
    Status GetStatus();
    Metadata GetTrailers();
}

/// <summary>A unary call: await it (or <see cref="ResponseAsync"/>) for the response.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly IClientCallState _call;

    internal AsyncUnaryCall(IClientCallState call, Task<TResponse> response)
    {
        _call = call;
        ResponseAsync = response;
    }

    public Task<TResponse> ResponseAsync { get; }
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;
    /// <summary>The final status; throws until the call has finished.</summary>
    public Status GetStatus() => _call.GetStatus();
    /// <summary>The trailing metadata; throws until the call has finished.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();
    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>A server-streaming call: read <see cref="ResponseStream"/> until it ends.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly ClientCallBase _call;

    internal AsyncServerStreamingCall(ClientCallBase call) => _call = call;

    public IAsyncStreamReader<TResponse> ResponseStream => (IAsyncStreamReader<TResponse>)_call;
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;
    public Status GetStatus() => _call.GetStatus();
    public Metadata GetTrailers() => _call.GetTrailers();
    public void Dispose() => _call.Dispose();
}

/// <summary>A client-streaming call: write <see cref="RequestStream"/>, complete it, await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly ClientCallBase _call;

    internal AsyncClientStreamingCall(ClientCallBase call, Task<TResponse> response)
    {
        _call = call;
        ResponseAsync = response;
    }

    public IClientStreamWriter<TRequest> RequestStream => (IClientStreamWriter<TRequest>)_call;
    public Task<TResponse> ResponseAsync { get; }
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;
    public Status GetStatus() => _call.GetStatus();
    public Metadata GetTrailers() => _call.GetTrailers();
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();
    public void Dispose() => _call.Dispose();
}

/// <summary>A bidirectional call.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly ClientCallBase _call;

    internal AsyncDuplexStreamingCall(ClientCallBase call) => _call = call;

    public IClientStreamWriter<TRequest> RequestStream => (IClientStreamWriter<TRequest>)_call;
    public IAsyncStreamReader<TResponse> ResponseStream => (IAsyncStreamReader<TResponse>)_call;
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;
    public Status GetStatus() => _call.GetStatus();
    public Metadata GetTrailers() => _call.GetTrailers();
    public void Dispose() => _call.Dispose();
}
