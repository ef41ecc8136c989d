using GenArt.Torch;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>A block of the UNet's contracting path (down_blocks.i).</summary>
public interface IUNetDownBlock
{
    /// <summary>Runs the block. Returns the skip tensors in order (after every resnet/attention pair and after
    /// the downsampler); the last one is the block's output. All are new tensors owned by the caller's scope.</summary>
    IReadOnlyList<Tensor> Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates);
}

/// <summary>A block of the UNet's expanding path (up_blocks.i).</summary>
public interface IUNetUpBlock
{
    /// <summary>How many skip tensors the block consumes (one per resnet).</summary>
    int SkipCount { get; }

    /// <summary><paramref name="skips"/> in the order they were produced; the block takes them from the last.
    /// <paramref name="upsampleSize"/> forces the upsampler's output size.</summary>
    Tensor Forward(Tensor hidden, IReadOnlyList<Tensor> skips, Tensor temb, Tensor encoderHiddenStates, (long H, long W)? upsampleSize);
}
