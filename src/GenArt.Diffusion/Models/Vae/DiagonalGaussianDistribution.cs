using GenArt.Torch;

namespace GenArt.Diffusion.Models.Vae;

/// <summary>
/// The VAE posterior (diffusers' DiagonalGaussianDistribution): mean and log-variance split from the encoder's
/// moments on channels, log-variance clamped to [-30, 20], std = exp(logvar / 2). Owns its tensors.
/// </summary>
public sealed class DiagonalGaussianDistribution : IDisposable
{
    /// <param name="moments">[B, 2C, H, W]: mean then log-variance on channels. Not taken over.</param>
    public DiagonalGaussianDistribution(Tensor moments)
    {
        using var scope = torch.NewDisposeScope();
        var parts = moments.chunk(2, 1);
        Mean = parts[0].contiguous().DetachFromDisposeScope();
        LogVar = parts[1].clamp(-30.0, 20.0).DetachFromDisposeScope();
        Std = LogVar.mul(0.5).exp_().DetachFromDisposeScope();
        Var = LogVar.exp().DetachFromDisposeScope();
    }

    public Tensor Mean { get; }
    public Tensor LogVar { get; }
    public Tensor Std { get; }
    public Tensor Var { get; }

    /// <summary>The most likely latent: the mean (a new tensor owned by the caller's scope).</summary>
    public Tensor Mode() => Mean.clone();

    /// <summary>mean + std * noise, with one CPU generator per batch element so each sample's noise depends on
    /// its own seed only (diffusers' randn_tensor with a list of generators).</summary>
    public Tensor Sample(IReadOnlyList<Generator> generators)
    {
        long batch = Mean.size(0);
        if (generators.Count != batch)
            throw new ArgumentException($"need one generator per batch element ({batch}), got {generators.Count}", nameof(generators));
        using var scope = torch.NewDisposeScope();
        var shape = Mean.shape;
        shape[0] = 1;
        var noise = new Tensor[batch];
        for (int i = 0; i < batch; i++) noise[i] = torch.randn(shape, generators[i], Mean.dtype, Device.CPU);
        var eps = torch.cat(noise, 0).to(Mean.device);
        return Mean.add(Std.mul(eps)).MoveToOuterDisposeScope();
    }

    /// <summary>mean + std * noise with a single generator for the whole batch.</summary>
    public Tensor Sample(Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        var eps = torch.randn(Mean.shape, generator, Mean.dtype, Device.CPU).to(Mean.device);
        return Mean.add(Std.mul(eps)).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
        Std.Dispose();
        Var.Dispose();
    }
}
