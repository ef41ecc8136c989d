using System.Globalization;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, decoupled weight decay, as torch.optim.AdamW without amsgrad) written with tensor
/// ops, so its state — the step count and each parameter's exp_avg and exp_avg_sq — can be saved with the weights
/// and a resumed run continues bit for bit. libtorch's own optimizer keeps its state out of reach.
/// </summary>
public sealed class ManagedAdamW : IDisposable
{
    private readonly IReadOnlyList<KeyValuePair<string, Tensor>> parameters;
    private readonly Tensor[] expAvg;
    private readonly Tensor[] expAvgSq;

    /// <param name="parameters">Named trainable parameters; the names key the saved state.</param>
    public ManagedAdamW(IEnumerable<KeyValuePair<string, Tensor>> parameters, double lr = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
    {
        if (!(lr > 0)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "the learning rate must be positive");
        this.parameters = parameters.ToList();
        LearningRate = lr;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        expAvg = this.parameters.Select(p => torch.zeros_like(p.Value).DetachFromDisposeScope()).ToArray();
        expAvgSq = this.parameters.Select(p => torch.zeros_like(p.Value).DetachFromDisposeScope()).ToArray();
    }

    public double LearningRate { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }

    /// <summary>Updates taken so far (torch's per-parameter "step", shared here by all parameters).</summary>
    public long Step { get; private set; }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in parameters)
            if (p.grad() is Tensor g)
            {
                g.zero_();
                g.Dispose();
            }
    }

    /// <summary>
    /// One update from the current gradients. With <paramref name="maxGradNorm"/>, gradients are first scaled so
    /// their global L2 norm is at most that (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
    /// </summary>
    public double Update(double? maxGradNorm = null)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var grads = parameters.Select(p => p.Value.grad()).ToArray();
        double norm = 0;
        foreach (var g in grads)
            if (g is not null) norm += g.square().sum().to(ScalarType.Float64).item<double>();
        norm = Math.Sqrt(norm);
        double clip = maxGradNorm is double max && norm > max ? max / (norm + 1e-6) : 1.0;

        Step++;
        double biasCorrection1 = 1 - Math.Pow(Beta1, Step);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, Step));
        double stepSize = LearningRate / biasCorrection1;
        for (int i = 0; i < parameters.Count; i++)
        {
            var grad = grads[i];
            if (grad is null) continue;
            if (clip != 1.0) grad = grad.mul(clip);
            var p = parameters[i].Value;
            p.mul_(1 - LearningRate * WeightDecay);
            expAvg[i].mul_(Beta1).add_(grad, 1 - Beta1);
            expAvgSq[i].mul_(Beta2).add_(grad.mul(grad), 1 - Beta2);
            var denom = expAvgSq[i].sqrt().div_(biasCorrection2Sqrt).add_(Eps);
            p.sub_(expAvg[i].div(denom), stepSize);
        }
        return norm;
    }

    /// <summary>Writes the step and every moment tensor to a safetensors file.</summary>
    public void Save(string path)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        for (int i = 0; i < parameters.Count; i++)
        {
            tensors.Add(new(parameters[i].Key + ".exp_avg", expAvg[i]));
            tensors.Add(new(parameters[i].Key + ".exp_avg_sq", expAvgSq[i]));
        }
        SafeTensorsWriter.Save(path, tensors, new Dictionary<string, string>
        {
            ["step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["lr"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Restores what <see cref="Save"/> wrote; every parameter must have its two moments there.</summary>
    public void Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        if (!file.Metadata.TryGetValue("step", out var stepText) || !long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            throw new FormatException($"{path}: no optimizer step in the metadata");
        using var noGrad = torch.no_grad();
        for (int i = 0; i < parameters.Count; i++)
        {
            string name = parameters[i].Key;
            using var m = file.Load(name + ".exp_avg");
            using var v = file.Load(name + ".exp_avg_sq");
            expAvg[i].copy_(m);
            expAvgSq[i].copy_(v);
        }
        Step = step;
    }

    public void Dispose()
    {
        foreach (var t in expAvg) t.Dispose();
        foreach (var t in expAvgSq) t.Dispose();
    }
}
