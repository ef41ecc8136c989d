using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Jobs;

namespace GenArt.Worker;

internal sealed partial class BatchRun
{
    /// <summary>
    /// Resolves every adapter the batch's samples name, per job's tenant, and pins it in the cache (leases are added to
    /// <paramref name="leases"/>). A job whose adapter is unknown, deleted or unusable fails alone and is marked
    /// <see cref="JobSlot.Failed"/>; the rest of the batch goes on. Returns each sample's adapters.
    /// </summary>
    private Dictionary<SampleSpec, IReadOnlyList<LoraUse>> ResolveAdapters(StableDiffusionModel model, List<LoraLease> leases)
    {
        var uses = new Dictionary<SampleSpec, IReadOnlyList<LoraUse>>(ReferenceEqualityComparer.Instance);
        var bySha = new Dictionary<string, LoraAdapter>(StringComparer.Ordinal);
        foreach (var job in _jobs)
        {
            var resolved = new Dictionary<string, LoraAdapter>(StringComparer.Ordinal);
            foreach (var sample in job.Spec.Samples)
            {
                var list = new List<LoraUse>(sample.Adapters.Count);
                foreach (var reference in sample.Adapters)
                {
                    if (!resolved.TryGetValue(reference.Name, out var adapter))
                    {
                        var (found, error) = Resolve(job.Spec.Tenant, reference.Name, model, bySha, leases);
                        if (found is null)
                        {
                            WorkerLog.AdapterFailed(_logger, job.Spec.Id.Value, reference.Name, error!.Message);
                            Publish(job.Spec.Id, error);
                            job.Failed = true;
                            break;
                        }
                        resolved[reference.Name] = adapter = found;
                    }
                    list.Add(new LoraUse(adapter, reference.Scale));
                }
                if (job.Failed) break;
                uses[sample] = list;
            }
        }
        return uses;
    }

    private (LoraAdapter? Adapter, JobFailed? Error) Resolve(string tenant, string name, StableDiffusionModel model,
        Dictionary<string, LoraAdapter> bySha, List<LoraLease> leases)
    {
        if (_adapters is null)
            return (null, new JobFailed(JobErrorCode.NotFound, $"adapter '{name}' not found: this worker has no adapter registry"));
        // NOT_FOUND covers another tenant's adapter too: the store answers per tenant and never reveals it
        var record = Wait(_adapters.Store.GetAsync(tenant, name));
        if (record is null) return (null, new JobFailed(JobErrorCode.NotFound, $"adapter '{name}' not found"));
        if (bySha.TryGetValue(record.Sha256, out var known)) return (known, null);
        try
        {
            var lease = _adapters.Cache.Acquire(model, record.Sha256, _adapters.FileOf(record.Sha256));
            leases.Add(lease);
            bySha[record.Sha256] = lease.Adapter;
            return (lease.Adapter, null);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, new JobFailed(JobErrorCode.NotFound, $"adapter '{name}' not found: its file was deleted"));
        }
        catch (LoraFormatException e)
        {
            return (null, new JobFailed(JobErrorCode.InvalidArgument, $"adapter '{name}' cannot be used with model '{model.Name}': {e.Problem}"));
        }
    }
}
