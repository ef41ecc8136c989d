using GenArt.Diffusion.Adapters;
using GenArt.Jobs;

namespace GenArt.Worker;

/// <summary>
/// Where a worker finds the adapters that samples name: the registry (<see cref="IAdapterStore"/>, per tenant), the
/// content-addressed files under <c>{DataDirectory}/adapters/{sha256}.safetensors</c>, and the cache of loaded ones.
/// </summary>
/// <param name="Store">Adapter records by tenant and name.</param>
/// <param name="DataDirectory">The data directory whose <c>adapters/</c> folder holds the files.</param>
/// <param name="Cache">Loaded adapters; the worker owns neither the cache nor the store.</param>
public sealed record WorkerAdapters(IAdapterStore Store, string DataDirectory, LoraCache Cache)
{
    /// <summary>The file of the adapter whose content hash is <paramref name="sha256"/>.</summary>
    public string FileOf(string sha256) => Path.Combine(DataDirectory, "adapters", sha256 + ".safetensors");
}
