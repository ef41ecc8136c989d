namespace GenArt.Server;

/// <summary>
/// A model the server accepts requests for, described without its weights (the front end never loads a model).
/// </summary>
/// <param name="Name">The name requests use.</param>
/// <param name="Family">Architecture family, e.g. "sd15".</param>
/// <param name="NativeSide">Default width and height.</param>
/// <param name="MaxSide">Largest width or height a request may ask for.</param>
/// <param name="Schedulers">Scheduler ids this model runs (e.g. "ddim", "euler-a").</param>
/// <param name="DefaultScheduler">Used when a request names none.</param>
/// <param name="DefaultSteps">Used when a request gives 0 steps.</param>
/// <param name="DefaultGuidance">Used when a request gives no guidance scale.</param>
/// <param name="IsLoaded">Whether a worker holds the weights now.</param>
public sealed record ModelDescriptor(
    string Name,
    string Family,
    int NativeSide,
    int MaxSide,
    IReadOnlyList<string> Schedulers,
    string DefaultScheduler,
    int DefaultSteps,
    double DefaultGuidance,
    Func<bool> IsLoaded);

/// <summary>The models the server was started with, by name.</summary>
public sealed class ModelCatalog(IEnumerable<ModelDescriptor> models)
{
    private readonly Dictionary<string, ModelDescriptor> _models = models.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>All models, by name.</summary>
    public IEnumerable<ModelDescriptor> All => _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal);

    /// <summary>The model to use when a request names none: the only one, or the first by name.</summary>
    public ModelDescriptor? Default => All.FirstOrDefault();

    /// <summary>The named model, or null.</summary>
    public ModelDescriptor? Find(string name) => _models.GetValueOrDefault(name);
}
