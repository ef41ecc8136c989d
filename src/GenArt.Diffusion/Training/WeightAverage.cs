using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Training;

/// <summary>
/// An exponential moving average of trained weights: after each optimizer step every average moves a fraction
/// (1 - decay) of the way toward its parameter. A denoiser's weights wander around a good solution at the step
/// size the optimizer takes; their average sits nearer its middle and renders cleaner images than any one step's
/// weights, which is why diffusion models ship averaged weights.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly IReadOnlyList<KeyValuePair<string, Tensor>> parameters;
    private readonly Tensor[] averages;

    /// <summary>Starts every average at its parameter's current value.</summary>
    /// <param name="parameters">Named parameters; the names key the saved averages.</param>
    /// <param name="decay">Kept share of the average per step, in (0, 1): 0.999 averages over about the last 1000 steps.</param>
    public WeightAverage(IEnumerable<KeyValuePair<string, Tensor>> parameters, double decay)
    {
        if (!IsValidDecay(decay))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "the averaging decay must lie strictly between 0 and 1");
        Decay = decay;
        this.parameters = parameters.ToList();
        using var noGrad = torch.no_grad();
        averages = this.parameters.Select(p => p.Value.clone().DetachFromDisposeScope()).ToArray();
    }

    public double Decay { get; }

    public static bool IsValidDecay(double decay) => decay > 0 && decay < 1;

    /// <summary>The averages under their parameters' names (owned by this object).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Named =>
        parameters.Select((p, i) => new KeyValuePair<string, Tensor>(p.Key, averages[i]));

    /// <summary>Moves every average toward its parameter: average = decay * average + (1 - decay) * parameter.</summary>
    public void Update()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < averages.Length; i++)
            averages[i].mul_(Decay).add_(parameters[i].Value, 1 - Decay);
    }

    /// <summary>Writes the averages into the parameters themselves (for export; training should not continue after).</summary>
    public void CopyToParameters()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < averages.Length; i++)
            parameters[i].Value.copy_(averages[i]);
    }

    public void Save(string path) => SafeTensorsWriter.Save(path, Named.ToList());

    /// <summary>Reads averages saved by <see cref="Save"/>; every parameter must be in the file.</summary>
    public void Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        using var noGrad = torch.no_grad();
        for (int i = 0; i < averages.Length; i++)
        {
            using var saved = file.Load(parameters[i].Key);
            averages[i].copy_(saved);
        }
    }

    public void Dispose()
    {
        foreach (var a in averages) a.Dispose();
    }
}
