using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>diffusers' FeedForward with activation "geglu": net.0 is GEGLU (proj to 2x inner, value times
/// exact GELU of the gate), net.1 dropout, net.2 the output Linear.</summary>
public sealed class FeedForward : Module
{
    private readonly Geglu geglu;
    private readonly Linear output;
    private readonly double dropout;

    public FeedForward(long dim, long? dimOut = null, int mult = 4, double dropout = 0.0)
    {
        long inner = dim * mult;
        this.dropout = dropout;
        var net = Register("net", new Sequence());
        geglu = net.Add("0", new Geglu(dim, inner));
        output = net.Add("2", new Linear(inner, dimOut ?? dim));
    }

    public Tensor forward(Tensor x)
    {
        using var h = geglu.forward(x);
        return output.forward(BlockOps.Dropout(h, dropout, Training));
    }

    /// <summary>A container whose children keep torch.nn.Sequential's indices, including the gaps left by
    /// layers without weights (dropout).</summary>
    private sealed class Sequence : Module
    {
        public T Add<T>(string index, T module) where T : Module => Register(index, module);
    }
}

/// <summary>GEGLU: proj(x) split in halves (value, gate) on the last dimension; value * gelu(gate).</summary>
public sealed class Geglu : Module
{
    private readonly Linear proj;

    public Geglu(long dimIn, long dimOut)
    {
        proj = Register("proj", new Linear(dimIn, dimOut * 2));
    }

    public Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var parts = proj.forward(x).chunk(2, -1);
        var gate = F.gelu(parts[1]);
        return parts[0].mul(gate).MoveToOuterDisposeScope();
    }
}
