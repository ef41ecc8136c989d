using System.Buffers;
using Google.Protobuf;

namespace GenArt.Rpc;

/// <summary>Turns messages into bytes and back.</summary>
public sealed class Marshaller<T>
{
    public Marshaller(Action<T, IBufferWriter<byte>> serializer, Func<ReadOnlySequence<byte>, T> deserializer)
    {
        Serializer = serializer;
        Deserializer = deserializer;
    }

    public Action<T, IBufferWriter<byte>> Serializer { get; }
    public Func<ReadOnlySequence<byte>, T> Deserializer { get; }
}

/// <summary>Marshaller factories.</summary>
public static class Marshallers
{
    /// <summary>The marshaller of a Google.Protobuf generated message type.</summary>
    public static Marshaller<T> Protobuf<T>() where T : IMessage<T>, new() => ProtobufCache<T>.Instance;

    private static class ProtobufCache<T> where T : IMessage<T>, new()
    {
        private static readonly MessageParser<T> Parser = new(() => new T());

        public static readonly Marshaller<T> Instance = new(
            static (message, writer) => message.WriteTo(writer),
            static data => Parser.ParseFrom(data));
    }
}

/// <summary>The four gRPC call shapes.</summary>
public enum MethodType
{
    Unary,
    ClientStreaming,
    ServerStreaming,
    DuplexStreaming,
}

/// <summary>Describes one RPC method: its path and its marshallers. Shared by server and client.</summary>
public sealed class RpcMethod<TRequest, TResponse>
{
    public RpcMethod(MethodType type, string serviceName, string name,
        Marshaller<TRequest> requestMarshaller, Marshaller<TResponse> responseMarshaller)
    {
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestMarshaller = requestMarshaller;
        ResponseMarshaller = responseMarshaller;
    }

    public MethodType Type { get; }
    public string ServiceName { get; }
    public string Name { get; }
    /// <summary>"/package.Service/Method", the HTTP/2 :path.</summary>
    public string FullName { get; }
    public Marshaller<TRequest> RequestMarshaller { get; }
    public Marshaller<TResponse> ResponseMarshaller { get; }
}

/// <summary>Shortcuts for methods whose messages are Google.Protobuf generated types.</summary>
public static class RpcMethod
{
    public static RpcMethod<TReq, TRes> Create<TReq, TRes>(MethodType type, string serviceName, string name)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => new(type, serviceName, name, Marshallers.Protobuf<TReq>(), Marshallers.Protobuf<TRes>());

    public static RpcMethod<TReq, TRes> Unary<TReq, TRes>(string serviceName, string name)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => Create<TReq, TRes>(MethodType.Unary, serviceName, name);

    public static RpcMethod<TReq, TRes> ServerStreaming<TReq, TRes>(string serviceName, string name)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => Create<TReq, TRes>(MethodType.ServerStreaming, serviceName, name);

    public static RpcMethod<TReq, TRes> ClientStreaming<TReq, TRes>(string serviceName, string name)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => Create<TReq, TRes>(MethodType.ClientStreaming, serviceName, name);

    public static RpcMethod<TReq, TRes> DuplexStreaming<TReq, TRes>(string serviceName, string name)
        where TReq : IMessage<TReq>, new() where TRes : IMessage<TRes>, new()
        => Create<TReq, TRes>(MethodType.DuplexStreaming, serviceName, name);
}

/// <summary>Per-message write options.</summary>
public sealed class WriteOptions
{
    public static readonly WriteOptions Default = new();
    public static readonly WriteOptions NoCompress = new() { Compress = false };

    /// <summary>Whether the message may be compressed with the call's compression (default true).</summary>
    public bool Compress { get; init; } = true;
}

/// <summary>Reads a stream of messages.</summary>
public interface IAsyncStreamReader<out T>
{
    T Current { get; }
    Task<bool> MoveNext(CancellationToken cancellationToken = default);
}

/// <summary>Writes a stream of messages.</summary>
public interface IAsyncStreamWriter<in T>
{
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
    WriteOptions? WriteOptions { get; set; }
}

/// <summary>Server-side response stream.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T> { }

/// <summary>Client-side request stream: write messages, then <see cref="CompleteAsync"/> (half-close).</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    Task CompleteAsync();
}

public static class AsyncStreamReaderExtensions
{
    /// <summary>Reads every message until the stream ends.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> reader,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
            yield return reader.Current;
    }
}
