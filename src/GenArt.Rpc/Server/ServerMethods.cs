using GenArt.Rpc.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GenArt.Rpc.Server;

public delegate Task<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context);
public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);
public delegate Task<TResponse> ClientStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context);
public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>A registered method: knows how to serve one HTTP/2 request.</summary>
internal abstract class ServerMethodHandler
{
    protected ServerMethodHandler(string serviceName, string path, MethodType type, MethodOptions options)
    {
        ServiceName = serviceName;
        Path = path;
        Type = type;
        Options = options;
    }

    public string ServiceName { get; }
    public string Path { get; }
    public MethodType Type { get; }
    public MethodOptions Options { get; }

    public abstract Task HandleAsync(HttpContext http, RpcServerOptions options, ILogger logger);
}

internal sealed class ServerMethodHandler<TRequest, TResponse> : ServerMethodHandler
{
    private readonly RpcMethod<TRequest, TResponse> _method;
    private readonly Delegate _handler;

    public ServerMethodHandler(RpcMethod<TRequest, TResponse> method, Delegate handler, MethodOptions options)
        : base(method.ServiceName, method.FullName, method.Type, options)
    {
        _method = method;
        _handler = handler;
    }

    public override async Task HandleAsync(HttpContext http, RpcServerOptions options, ILogger logger)
    {
        var call = new ServerCall(http, _method.FullName, options, Options, logger);
        try
        {
            if (!call.Initialize()) return;
            Exception? error = null;
            try
            {
                switch (_method.Type)
                {
                    case MethodType.Unary:
                    {
                        var request = await call.ReadSingleMessageAsync(_method.RequestMarshaller).ConfigureAwait(false);
                        var response = await ((UnaryServerMethod<TRequest, TResponse>)_handler)(request, call).ConfigureAwait(false);
                        if (call.Status.StatusCode == StatusCode.OK)
                            await call.WriteMessageAsync(response, _method.ResponseMarshaller, null, flush: false, default).ConfigureAwait(false);
                        break;
                    }
                    case MethodType.ServerStreaming:
                    {
                        var request = await call.ReadSingleMessageAsync(_method.RequestMarshaller).ConfigureAwait(false);
                        await ((ServerStreamingServerMethod<TRequest, TResponse>)_handler)(request, new ResponseWriter(call, _method), call).ConfigureAwait(false);
                        break;
                    }
                    case MethodType.ClientStreaming:
                    {
                        var response = await ((ClientStreamingServerMethod<TRequest, TResponse>)_handler)(new RequestReader(call, _method), call).ConfigureAwait(false);
                        if (call.Status.StatusCode == StatusCode.OK)
                            await call.WriteMessageAsync(response, _method.ResponseMarshaller, null, flush: false, default).ConfigureAwait(false);
                        break;
                    }
                    case MethodType.DuplexStreaming:
                        await ((DuplexStreamingServerMethod<TRequest, TResponse>)_handler)(new RequestReader(call, _method), new ResponseWriter(call, _method), call).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }
            await call.EndAsync(error).ConfigureAwait(false);
        }
        finally
        {
            call.Dispose();
        }
    }

    private sealed class RequestReader : IAsyncStreamReader<TRequest>
    {
        private readonly ServerCall _call;
        private readonly RpcMethod<TRequest, TResponse> _method;
        private bool _ended;

        public RequestReader(ServerCall call, RpcMethod<TRequest, TResponse> method)
        {
            _call = call;
            _method = method;
        }

        public TRequest Current { get; private set; } = default!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
        {
            if (_ended) return false;
            var callToken = _call.CancellationToken;
            (bool ok, TRequest msg) result;
            if (cancellationToken.CanBeCanceled && cancellationToken != callToken)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken);
                result = await _call.ReadMessageAsync(_method.RequestMarshaller, linked.Token).ConfigureAwait(false);
            }
            else
            {
                result = await _call.ReadMessageAsync(_method.RequestMarshaller, callToken).ConfigureAwait(false);
            }
            if (!result.ok) { _ended = true; return false; }
            Current = result.msg;
            return true;
        }
    }

    private sealed class ResponseWriter : IServerStreamWriter<TResponse>
    {
        private readonly ServerCall _call;
        private readonly RpcMethod<TRequest, TResponse> _method;

        public ResponseWriter(ServerCall call, RpcMethod<TRequest, TResponse> method)
        {
            _call = call;
            _method = method;
        }

        public WriteOptions? WriteOptions
        {
            get => _call.WriteOptions;
            set => _call.WriteOptions = value;
        }

        public Task WriteAsync(TResponse message, CancellationToken cancellationToken = default)
            => _call.WriteMessageAsync(message, _method.ResponseMarshaller, null, flush: true, cancellationToken);
    }
}
