using GenArt.Rpc.Server;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;

namespace GenArt.Rpc.Services;

/// <summary>
/// grpc.reflection.v1.ServerReflection and its wire-identical predecessor v1alpha, answered from the
/// Google.Protobuf descriptors of the registered services: list_services, file_by_filename,
/// file_containing_symbol (files are sent with their transitive dependencies), file_containing_extension
/// and all_extension_numbers_of_type (proto3 services declare no extensions: NOT_FOUND / empty).
/// </summary>
public sealed class ReflectionService : IRpcService
{
    public const string V1ServiceName = "grpc.reflection.v1.ServerReflection";
    public const string V1AlphaServiceName = "grpc.reflection.v1alpha.ServerReflection";

    private readonly RpcServiceRegistry _registry;
    private Index? _index;

    public ReflectionService(RpcServiceRegistry registry)
    {
        _registry = registry;
        _registry.AddFile(Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor);
        _registry.Changed += () => _index = null;
    }

    public ServiceDescriptor Descriptor => ReflectionReflection.Descriptor.Services[0];

    public void Bind(ServiceBinder binder)
    {
        binder.DuplexStreaming<ServerReflectionRequest, ServerReflectionResponse>("ServerReflectionInfo", ServeAsync);
        // v1alpha has the same messages and field numbers, so v1 marshallers read and write it.
        var alpha = RpcMethod.DuplexStreaming<ServerReflectionRequest, ServerReflectionResponse>(V1AlphaServiceName, "ServerReflectionInfo");
        new ServiceBinder(_registry, V1AlphaServiceName, Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor.Services[0])
            .Add(alpha, (DuplexStreamingServerMethod<ServerReflectionRequest, ServerReflectionResponse>)ServeAsync);
    }

    private async Task ServeAsync(IAsyncStreamReader<ServerReflectionRequest> requests,
        IServerStreamWriter<ServerReflectionResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = requests.Current;
            await responses.WriteAsync(Answer(request), context.CancellationToken).ConfigureAwait(false);
        }
    }

    internal ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var index = _index ??= new Index(_registry);
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                foreach (var name in _registry.ServiceNames) list.Service.Add(new ServiceResponse { Name = name });
                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                if (index.Files.TryGetValue(request.FileByFilename, out var byName)) response.FileDescriptorResponse = WithDependencies(byName);
                else response.ErrorResponse = NotFound($"File not found: {request.FileByFilename}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                if (index.Symbols.TryGetValue(request.FileContainingSymbol, out var bySymbol)) response.FileDescriptorResponse = WithDependencies(bySymbol);
                else response.ErrorResponse = NotFound($"Symbol not found: {request.FileContainingSymbol}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                response.ErrorResponse = NotFound($"Extension not found: {request.FileContainingExtension.ContainingType}({request.FileContainingExtension.ExtensionNumber})");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                if (index.Symbols.ContainsKey(request.AllExtensionNumbersOfType))
                    response.AllExtensionNumbersResponse = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                else response.ErrorResponse = NotFound($"Type not found: {request.AllExtensionNumbersOfType}");
                break;
            default:
                response.ErrorResponse = new ErrorResponse { ErrorCode = (int)StatusCode.InvalidArgument, ErrorMessage = "No request given." };
                break;
        }
        return response;
    }

    private static ErrorResponse NotFound(string message) => new() { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = message };

    private static FileDescriptorResponse WithDependencies(FileDescriptor file)
    {
        var response = new FileDescriptorResponse();
        var seen = new HashSet<string>();
        var stack = new Stack<FileDescriptor>();
        stack.Push(file);
        while (stack.Count > 0)
        {
            var f = stack.Pop();
            if (!seen.Add(f.Name)) continue;
            response.FileDescriptorProto.Add(f.SerializedData);
            foreach (var dep in f.Dependencies) stack.Push(dep);
        }
        return response;
    }

    /// <summary>Every file reachable from the registered ones, and every symbol they declare.</summary>
    private sealed class Index
    {
        public readonly Dictionary<string, FileDescriptor> Files = new(StringComparer.Ordinal);
        public readonly Dictionary<string, FileDescriptor> Symbols = new(StringComparer.Ordinal);

        public Index(RpcServiceRegistry registry)
        {
            var stack = new Stack<FileDescriptor>(registry.FileDescriptors);
            while (stack.Count > 0)
            {
                var f = stack.Pop();
                if (!Files.TryAdd(f.Name, f)) continue;
                foreach (var s in f.Services)
                {
                    Symbols.TryAdd(s.FullName, f);
                    foreach (var m in s.Methods) Symbols.TryAdd(s.FullName + "." + m.Name, f);
                }
                foreach (var m in f.MessageTypes) AddMessage(m, f);
                foreach (var e in f.EnumTypes) AddEnum(e, f);
                foreach (var dep in f.Dependencies) stack.Push(dep);
            }
        }

        private void AddMessage(MessageDescriptor m, FileDescriptor f)
        {
            Symbols.TryAdd(m.FullName, f);
            foreach (var field in m.Fields.InDeclarationOrder()) Symbols.TryAdd(m.FullName + "." + field.Name, f);
            foreach (var n in m.NestedTypes) AddMessage(n, f);
            foreach (var e in m.EnumTypes) AddEnum(e, f);
        }

        private void AddEnum(EnumDescriptor e, FileDescriptor f)
        {
            Symbols.TryAdd(e.FullName, f);
            foreach (var v in e.Values) Symbols.TryAdd(e.FullName + "." + v.Name, f);
        }
    }
}
