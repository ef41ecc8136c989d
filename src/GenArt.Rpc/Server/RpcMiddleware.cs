using GenArt.Rpc.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GenArt.Rpc.Server;

/// <summary>
/// Routes gRPC requests (content-type application/grpc*) to registered methods. Non-gRPC requests to a
/// registered path get HTTP 415; other non-gRPC requests pass through to the rest of the pipeline.
/// </summary>
internal sealed class RpcMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RpcServiceRegistry _registry;
    private readonly RpcServerOptions _options;
    private readonly ILogger _logger;

    public RpcMiddleware(RequestDelegate next, RpcServiceRegistry registry, IOptions<RpcServerOptions> options, ILoggerFactory loggerFactory)
    {
        _next = next;
        _registry = registry;
        _options = options.Value;
        _logger = loggerFactory.CreateLogger("GenArt.Rpc.Server");
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        string path = request.Path.Value ?? "";
        bool registered = _registry.TryGetMethod(path, out var handler);
        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            if (!registered) return _next(context);
            ServerCall.WriteTrailersOnly(context, StatusCode.Internal,
                $"Content-Type '{request.ContentType}' is not supported: use application/grpc.", StatusCodes.Status415UnsupportedMediaType);
            return Task.CompletedTask;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            ServerCall.WriteTrailersOnly(context, StatusCode.Internal, $"HTTP method {request.Method} is not supported: use POST.",
                StatusCodes.Status405MethodNotAllowed);
            return Task.CompletedTask;
        }
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            ServerCall.WriteTrailersOnly(context, StatusCode.Internal, $"Request protocol {request.Protocol} is not supported: use HTTP/2.",
                StatusCodes.Status426UpgradeRequired);
            return Task.CompletedTask;
        }
        if (!registered)
        {
            string detail = "Method is unimplemented.";
            int slash = path.IndexOf('/', 1);
            if (slash < 0 || !_registry.HasService(path[1..slash])) detail = "Service is unimplemented.";
            ServerCall.WriteTrailersOnly(context, StatusCode.Unimplemented, detail);
            return Task.CompletedTask;
        }
        return handler.HandleAsync(context, _options, _logger);
    }
}
