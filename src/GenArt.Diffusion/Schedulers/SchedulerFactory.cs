namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// Builds a scheduler from a name and the model's scheduler_config.json. Names are our short ids ("euler-a") or
/// the sampler names A1111 writes in its <c>parameters</c> text ("Euler a"); both are matched case-insensitively.
/// </summary>
public static class SchedulerFactory
{
    private sealed record Entry(string Id, string DisplayName, Func<SchedulerConfig, IScheduler> Create);

    private static readonly Entry[] Entries =
    [
        new("ddim", "DDIM", c => new DdimScheduler(c)),
        // Only PLMS is implemented: a config without skip_prk_steps gets it; an explicit false is refused.
        new("pndm", "PLMS", c => new PndmScheduler(c.Contains("skip_prk_steps") ? c : c.With("skip_prk_steps", true))),
        new("euler", "Euler", c => new EulerScheduler(c)),
        new("euler-a", "Euler a", c => new EulerAncestralScheduler(c)),
        new("dpmpp-2m", "DPM++ 2M", c => new DpmSolverMultistepScheduler(Dpm(c, karras: false))),
        new("dpmpp-2m-karras", "DPM++ 2M Karras", c => new DpmSolverMultistepScheduler(Dpm(c, karras: true))),
        new("lcm", "LCM", c => new LcmScheduler(c)),
    ];

    /// <summary>The short ids, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Id).ToArray();

    /// <summary>The A1111 sampler names, in the order of <see cref="Names"/>.</summary>
    public static IReadOnlyList<string> DisplayNames { get; } = Entries.Select(e => e.DisplayName).ToArray();

    /// <summary>Creates the named scheduler from <paramref name="config"/> (keys it lacks take that scheduler's
    /// defaults). Call <see cref="IScheduler.SetTimesteps"/> before use.</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    /// <exception cref="SchedulerConfigException">A config key holds a value the scheduler refuses.</exception>
    public static IScheduler Create(string name, SchedulerConfig? config = null) =>
        Find(name).Create(config ?? SchedulerConfig.Empty);

    /// <summary>Whether <paramref name="name"/> is a known id or display name.</summary>
    public static bool IsKnown(string name) => TryFind(name) is not null;

    /// <summary>The short id for a name or display name ("DPM++ 2M Karras" → "dpmpp-2m-karras").</summary>
    public static string Normalize(string name) => Find(name).Id;

    /// <summary>The A1111 sampler name for a name or id ("euler-a" → "Euler a").</summary>
    public static string DisplayName(string name) => Find(name).DisplayName;

    private static Entry Find(string name) =>
        TryFind(name) ?? throw new ArgumentException(
            $"unknown scheduler \"{name}\"; known: {string.Join(", ", Entries.Select(e => $"\"{e.Id}\" (\"{e.DisplayName}\")"))}",
            nameof(name));

    private static Entry? TryFind(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        string n = name.Trim();
        return Entries.FirstOrDefault(e =>
            string.Equals(e.Id, n, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(e.DisplayName, n, StringComparison.OrdinalIgnoreCase));
    }

    // The DPM++ 2M names fix the algorithm, the order and the σ spacing whatever the model's config says.
    private static SchedulerConfig Dpm(SchedulerConfig c, bool karras) => c.With(new Dictionary<string, object?>
    {
        ["algorithm_type"] = "dpmsolver++",
        ["solver_order"] = 2,
        ["use_karras_sigmas"] = karras,
    });
}
