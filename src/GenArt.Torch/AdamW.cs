using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

/// <summary>libtorch's AdamW (decoupled weight decay) over a fixed list of parameters.</summary>
public sealed unsafe class AdamW : IDisposable
{
    private IntPtr handle;

    internal AdamW(IReadOnlyList<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad)
    {
        if (lr <= 0 || double.IsNaN(lr)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "the learning rate must be positive");
        Span<IntPtr> handles = torch.Handles(parameters, stackalloc IntPtr[Math.Min(parameters.Count, 64)]);
        fixed (IntPtr* p = handles)
            handle = Check(gat_optim_adamw_new(p, handles.Length, lr, beta1, beta2, eps, weightDecay, amsgrad ? 1 : 0), "adamw");
        LearningRate = lr;
    }

    ~AdamW()
    {
        if (handle != IntPtr.Zero) gat_optim_free(handle);
    }

    private IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(AdamW));

    public double LearningRate { get; private set; }

    public void step() => Check(gat_optim_step(Handle), "optimizer.step");

    public void zero_grad() => Check(gat_optim_zero_grad(Handle), "optimizer.zero_grad");

    public void set_lr(double lr)
    {
        Check(gat_optim_set_lr(Handle, lr), "optimizer.set_lr");
        LearningRate = lr;
    }

    public void Dispose()
    {
        if (handle == IntPtr.Zero) return;
        gat_optim_free(handle);
        handle = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }
}
