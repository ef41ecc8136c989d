using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace GenArt.Rpc.Server;

/// <summary>The methods the server serves, by HTTP/2 path, and the descriptors reflection reports.</summary>
public sealed class RpcServiceRegistry
{
    private readonly ConcurrentDictionary<string, ServerMethodHandler> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _services = new(StringComparer.Ordinal);
    private readonly object _filesLock = new();
    private readonly List<FileDescriptor> _files = new();

    /// <summary>Full names of the registered services ("package.Service").</summary>
    public IReadOnlyCollection<string> ServiceNames => _services.Keys.OrderBy(s => s, StringComparer.Ordinal).ToArray();

    /// <summary>Paths ("/package.Service/Method") of the registered methods.</summary>
    public IReadOnlyCollection<string> MethodPaths => _methods.Keys.ToArray();

    /// <summary>Proto files of services registered with a descriptor (for reflection).</summary>
    public IReadOnlyList<FileDescriptor> FileDescriptors
    {
        get { lock (_filesLock) return _files.ToArray(); }
    }

    /// <summary>Raised when the set of registered services changes.</summary>
    public event Action? Changed;

    internal bool TryGetMethod(string path, out ServerMethodHandler handler) => _methods.TryGetValue(path, out handler!);

    internal bool HasService(string serviceName) => _services.ContainsKey(serviceName);

    internal void AddMethod(ServerMethodHandler handler)
    {
        if (!_methods.TryAdd(handler.Path, handler))
            throw new InvalidOperationException($"Method {handler.Path} is already registered.");
        _services.TryAdd(handler.ServiceName, 0);
        Changed?.Invoke();
    }

    internal void AddFile(FileDescriptor file)
    {
        lock (_filesLock)
            if (!_files.Contains(file)) _files.Add(file);
        Changed?.Invoke();
    }
}
