using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

public sealed partial class Tensor
{
    public bool requires_grad
    {
        get => Check(gat_autograd_requires_grad(Handle), "requires_grad") != 0;
        set => Check(gat_autograd_set_requires_grad(Handle, value ? 1 : 0), "requires_grad_");
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    /// <summary>Back-propagates from this tensor (a scalar, unless <paramref name="gradient"/> is given).</summary>
    public void backward(Tensor? gradient = null, bool retainGraph = false) =>
        Check(gat_autograd_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retainGraph ? 1 : 0), "backward");

    /// <summary>The accumulated gradient (a new handle to it), or null before any backward pass.</summary>
    public Tensor? grad()
    {
        IntPtr g = gat_autograd_grad(Handle);
        if (g == IntPtr.Zero)
        {
            ThrowIfPending("grad");
            return null;
        }
        return new Tensor(g);
    }

    /// <summary>Drops the accumulated gradient.</summary>
    public void zero_grad() => Check(gat_autograd_zero_grad(Handle), "zero_grad");
}
