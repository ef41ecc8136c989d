using GenArt.Jobs;
using GenArt.Rpc;

namespace GenArt.Server.Admission;

/// <summary>
/// Checks that the caller's tenant owns every adapter a validated request names, and that each was registered for the
/// request's model. Another tenant's adapter is NOT_FOUND with the same message as a missing one.
/// </summary>
public sealed class AdapterAuthorizer(IAdapterStore store)
{
    public async Task AuthorizeAsync(ValidatedRequest request, string tenant, CancellationToken cancellationToken)
    {
        // Every sample of a request carries the same adapters.
        var adapters = request.Samples[0].Adapters;
        string model = request.Batch.Key.Model;
        for (int i = 0; i < adapters.Count; i++)
        {
            var record = await store.GetAsync(tenant, adapters[i].Name, cancellationToken).ConfigureAwait(false)
                ?? throw new RpcException(StatusCode.NotFound, $"adapters[{i}].name: adapter '{adapters[i].Name}' was not found");
            if (record.BaseModel != model)
                throw new RpcException(StatusCode.InvalidArgument,
                    $"adapters[{i}].name: adapter '{record.Name}' is for base model '{record.BaseModel}', not '{model}'");
        }
    }
}
