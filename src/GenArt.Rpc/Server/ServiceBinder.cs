using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace GenArt.Rpc.Server;

/// <summary>A service implementation that registers its own methods (see <c>app.MapGrpcService&lt;T&gt;()</c>).</summary>
public interface IRpcService
{
    /// <summary>The protobuf service this class implements (its file is reported by reflection).</summary>
    ServiceDescriptor Descriptor { get; }

    /// <summary>Registers the handlers of the service's methods.</summary>
    void Bind(ServiceBinder binder);
}

/// <summary>
/// Registers the methods of one service. Methods of a service given by a protobuf
/// <see cref="ServiceDescriptor"/> are checked against it (name, streaming shape, message types), and the
/// service's proto file is reported by server reflection.
/// </summary>
public sealed class ServiceBinder
{
    private readonly RpcServiceRegistry _registry;

    internal ServiceBinder(RpcServiceRegistry registry, string serviceName, ServiceDescriptor? descriptor)
    {
        _registry = registry;
        ServiceName = serviceName;
        Descriptor = descriptor;
    }

    /// <summary>"package.Service".</summary>
    public string ServiceName { get; }

    /// <summary>The protobuf descriptor, if the service was registered with one.</summary>
    public ServiceDescriptor? Descriptor { get; }

    public ServiceBinder Unary<TReq, TRes>(string name, UnaryServerMethod<TReq, TRes> handler, Action<MethodOptions>? configure = null)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => Add(Method<TReq, TRes>(MethodType.Unary, name), handler, configure);

    public ServiceBinder ServerStreaming<TReq, TRes>(string name, ServerStreamingServerMethod<TReq, TRes> handler, Action<MethodOptions>? configure = null)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => Add(Method<TReq, TRes>(MethodType.ServerStreaming, name), handler, configure);

    public ServiceBinder ClientStreaming<TReq, TRes>(string name, ClientStreamingServerMethod<TReq, TRes> handler, Action<MethodOptions>? configure = null)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => Add(Method<TReq, TRes>(MethodType.ClientStreaming, name), handler, configure);

    public ServiceBinder DuplexStreaming<TReq, TRes>(string name, DuplexStreamingServerMethod<TReq, TRes> handler, Action<MethodOptions>? configure = null)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => Add(Method<TReq, TRes>(MethodType.DuplexStreaming, name), handler, configure);

    /// <summary>Registers a unary method with explicit marshallers.</summary>
    public ServiceBinder Add<TReq, TRes>(RpcMethod<TReq, TRes> method, UnaryServerMethod<TReq, TRes> handler, Action<MethodOptions>? configure = null)
        => AddCore(method, MethodType.Unary, handler, configure);

    public ServiceBinder Add<TReq, TRes>(RpcMethod<TReq, TRes> method, ServerStreamingServerMethod<TReq, TRes> handler, Action<MethodOptions>? configure = null)
        => AddCore(method, MethodType.ServerStreaming, handler, configure);

    public ServiceBinder Add<TReq, TRes>(RpcMethod<TReq, TRes> method, ClientStreamingServerMethod<TReq, TRes> handler, Action<MethodOptions>? configure = null)
        => AddCore(method, MethodType.ClientStreaming, handler, configure);

    public ServiceBinder Add<TReq, TRes>(RpcMethod<TReq, TRes> method, DuplexStreamingServerMethod<TReq, TRes> handler, Action<MethodOptions>? configure = null)
        => AddCore(method, MethodType.DuplexStreaming, handler, configure);

    private RpcMethod<TReq, TRes> Method<TReq, TRes>(MethodType type, string name)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
    {
        if (Descriptor is not null)
        {
            var md = Descriptor.FindMethodByName(name)
                     ?? throw new ArgumentException($"Service {ServiceName} has no method '{name}'.", nameof(name));
            var expected = (md.IsClientStreaming, md.IsServerStreaming) switch
            {
                (false, false) => MethodType.Unary,
                (false, true) => MethodType.ServerStreaming,
                (true, false) => MethodType.ClientStreaming,
                _ => MethodType.DuplexStreaming,
            };
            if (expected != type)
                throw new ArgumentException($"{ServiceName}/{name} is {expected} in its proto, not {type}.", nameof(name));
            var reqName = new TReq().Descriptor.FullName;
            var resName = new TRes().Descriptor.FullName;
            if (md.InputType.FullName != reqName || md.OutputType.FullName != resName)
                throw new ArgumentException(
                    $"{ServiceName}/{name} takes {md.InputType.FullName} and returns {md.OutputType.FullName}, not {reqName} / {resName}.", nameof(name));
        }
        return RpcMethod.Create<TReq, TRes>(type, ServiceName, name);
    }

    private ServiceBinder AddCore<TReq, TRes>(RpcMethod<TReq, TRes> method, MethodType type, Delegate handler, Action<MethodOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (method.Type != type) throw new ArgumentException($"Method {method.FullName} is {method.Type}, handler is {type}.");
        if (method.ServiceName != ServiceName) throw new ArgumentException($"Method {method.FullName} is not in service {ServiceName}.");
        var options = new MethodOptions();
        configure?.Invoke(options);
        _registry.AddMethod(new ServerMethodHandler<TReq, TRes>(method, handler, options));
        return this;
    }
}
