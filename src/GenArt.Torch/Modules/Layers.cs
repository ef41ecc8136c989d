using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Torch.Modules;

/// <summary>y = x Wᵀ + b, weight [out, in].</summary>
public sealed class Linear : Module
{
    public Linear(long inFeatures, long outFeatures, bool bias = true)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterParameter("weight", torch.zeros([outFeatures, inFeatures]));
        RegisterParameter("bias", bias ? torch.zeros([outFeatures]) : null);
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public Tensor Weight => Parameter("weight")!;
    public Tensor? Bias => Parameter("bias");

    public Tensor forward(Tensor x) => LayerOutputHooks.Run(this, x, F.linear(x, Weight, Bias));

    public override void ResetParameters(Generator generator)
    {
        // torch.nn.Linear's default: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias
        double bound = 1 / Math.Sqrt(InFeatures);
        Init.Uniform(this, "weight", bound, generator);
        if (Bias is not null) Init.Uniform(this, "bias", bound, generator);
    }
}

/// <summary>2-D convolution, weight [out, in / groups, k, k].</summary>
public sealed class Conv2d : Module
{
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long groups = 1, bool bias = true)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"channels ({inChannels} in, {outChannels} out) must divide into {groups} groups");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Groups = groups;
        RegisterParameter("weight", torch.zeros([outChannels, inChannels / groups, kernelSize, kernelSize]));
        RegisterParameter("bias", bias ? torch.zeros([outChannels]) : null);
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Groups { get; }
    public Tensor Weight => Parameter("weight")!;
    public Tensor? Bias => Parameter("bias");

    public Tensor forward(Tensor x) => LayerOutputHooks.Run(this, x, F.conv2d(x, Weight, Bias, Stride, Padding, 1, Groups));

    public override void ResetParameters(Generator generator)
    {
        double bound = 1 / Math.Sqrt(InChannels / Groups * KernelSize * KernelSize);
        Init.Uniform(this, "weight", bound, generator);
        if (Bias is not null) Init.Uniform(this, "bias", bound, generator);
    }
}

public sealed class GroupNorm : Module
{
    public GroupNorm(long numGroups, long numChannels, double eps = 1e-5, bool affine = true)
    {
        if (numChannels % numGroups != 0)
            throw new ArgumentException($"{numChannels} channels do not divide into {numGroups} groups");
        NumGroups = numGroups;
        Eps = eps;
        RegisterParameter("weight", affine ? torch.ones([numChannels]) : null);
        RegisterParameter("bias", affine ? torch.zeros([numChannels]) : null);
    }

    public long NumGroups { get; }
    public double Eps { get; }

    public Tensor forward(Tensor x) => F.group_norm(x, NumGroups, Parameter("weight"), Parameter("bias"), Eps);

    public override void ResetParameters(Generator generator)
    {
        Parameter("weight")?.fill_(1);
        Parameter("bias")?.zero_();
    }
}

public sealed class LayerNorm : Module
{
    private readonly long[] shape;

    public LayerNorm(long normalizedShape, double eps = 1e-5, bool affine = true)
    {
        shape = [normalizedShape];
        Eps = eps;
        RegisterParameter("weight", affine ? torch.ones(shape) : null);
        RegisterParameter("bias", affine ? torch.zeros(shape) : null);
    }

    public double Eps { get; }

    public Tensor forward(Tensor x) => F.layer_norm(x, shape, Parameter("weight"), Parameter("bias"), Eps);

    public override void ResetParameters(Generator generator)
    {
        Parameter("weight")?.fill_(1);
        Parameter("bias")?.zero_();
    }
}

public sealed class Embedding : Module
{
    public Embedding(long count, long dim)
    {
        RegisterParameter("weight", torch.zeros([count, dim]));
    }

    public Tensor Weight => Parameter("weight")!;

    public Tensor forward(Tensor indices) => F.embedding(indices, Weight);

    public override void ResetParameters(Generator generator)
    {
        using var fresh = torch.randn(Weight.shape, generator, Weight.dtype, Weight.device);
        Weight.copy_(fresh);
    }
}

/// <summary>Children named 0, 1, 2 ... as torch.nn.ModuleList.</summary>
public sealed class ModuleList<T> : Module where T : Module
{
    private readonly List<T> items = [];

    public ModuleList(IEnumerable<T> modules)
    {
        foreach (var m in modules) Add(m);
    }

    public ModuleList()
    {
    }

    public void Add(T module)
    {
        Register(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        items.Add(module);
    }

    public int Count => items.Count;

    public T this[int index] => items[index];

    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();
}

internal static class Init
{
    public static void Uniform(Module m, string name, double bound, Generator generator)
    {
        var p = m.NamedParameters().First(kv => kv.Key == name).Value;
        using var u = torch.rand(p.shape, generator, p.dtype, p.device);
        using var scaled = u.mul(2 * bound).sub_(bound);
        using (torch.no_grad()) p.copy_(scaled);
    }
}
