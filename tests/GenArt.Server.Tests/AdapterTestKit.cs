using System.Security.Cryptography;
using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Jobs;
using GenArt.Rpc;
using Microsoft.Extensions.DependencyInjection;

namespace GenArt.Server.Tests;

/// <summary>Adapter calls through real gRPC to a <see cref="TestServer"/>, and views of what it stored.</summary>
internal static class AdapterTestKit
{
    public static Task<Adapter> UploadAsync(this TestServer server, string name, byte[] bytes, string? key = null,
        string baseModel = TestServer.ModelName, Action<AdapterUploadMetadata>? change = null)
    {
        var metadata = new AdapterUploadMetadata { Name = name, BaseModel = baseModel, Format = AdapterFormat.Safetensors };
        change?.Invoke(metadata);
        return AdapterUpload.UploadAsync(server.Client.Channel, server.Options(key), metadata, new MemoryStream(bytes));
    }

    public static async Task<RpcException> RefusedUploadAsync(this TestServer server, string name, byte[] bytes, string? key = null,
        string baseModel = TestServer.ModelName, Action<AdapterUploadMetadata>? change = null)
    {
        try
        {
            var adapter = await server.UploadAsync(name, bytes, key, baseModel, change);
            Assert.Fail($"the upload of '{name}' was accepted: {adapter}");
            throw new InvalidOperationException("unreachable");
        }
        catch (RpcException e)
        {
            return e;
        }
    }

    public static async Task<IReadOnlyList<Adapter>> ListAsync(this TestServer server, string? key = null, string baseModel = "") =>
        (await server.Client.Channel.UnaryAsync(RemoteClient.ListAdapters, new AdaptersListRequest { BaseModel = baseModel }, server.Options(key))).Adapters;

    public static async Task<Adapter> GetAsync(this TestServer server, string name, string? key = null) =>
        (await server.Client.Channel.UnaryAsync(RemoteClient.GetAdapter, new AdaptersGetRequest { Name = name }, server.Options(key))).Adapter;

    public static async Task DeleteAsync(this TestServer server, string name, string? key = null) =>
        await server.Client.Channel.UnaryAsync(RemoteClient.DeleteAdapter, new AdaptersDeleteRequest { Name = name }, server.Options(key));

    public static IAdapterStore Store(this TestServer server) => server.Server.Host.Services.GetRequiredService<IAdapterStore>();

    /// <summary>Every file under the data directory's adapters folder (temporary ones included), relative to it.</summary>
    public static SortedSet<string> StoredFiles(this TestServer server)
    {
        string dir = Path.Combine(server.DataDir, "adapters");
        if (!Directory.Exists(dir)) return [];
        return new SortedSet<string>(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)),
            StringComparer.Ordinal);
    }

    /// <summary>Adapter files (content-addressed), without the registry file.</summary>
    public static SortedSet<string> AdapterFileNames(this TestServer server) =>
        new(server.StoredFiles().Where(f => f != "registry.json"), StringComparer.Ordinal);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
