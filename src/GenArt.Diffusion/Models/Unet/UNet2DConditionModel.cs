using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>
/// diffusers' UNet2DConditionModel (the Stable Diffusion 1.x / 2.x denoiser) built from its config.json.
/// Parameter names equal the diffusers checkpoint keys, so <see cref="Module.Load"/> over the
/// diffusion_pytorch_model.safetensors needs no renaming.
/// </summary>
public sealed class UNet2DConditionModel : Module
{
    private readonly Conv2d convIn;
    private readonly TimestepEmbedding timeEmbedding;
    private readonly ModuleList<Module> downBlocks;
    private readonly UNetMidBlock2DCrossAttn? midBlock;
    private readonly ModuleList<Module> upBlocks;
    private readonly GroupNorm convNormOut;
    private readonly Conv2d convOut;
    private readonly int upsamplers;

    /// <summary>Builds the model with zero weights; load a checkpoint (or call ResetParameters) next. The whole
    /// config is validated first.</summary>
    public UNet2DConditionModel(UNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        int n = config.BlockCount;
        var ch = config.BlockOutChannels;
        long temb = config.TimeEmbedDim;

        convIn = Register("conv_in", new Conv2d(config.InChannels, ch[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2));
        timeEmbedding = Register("time_embedding", new TimestepEmbedding(ch[0], temb));

        UNetBlockSpec Spec(int block, int layers, long inCh, long outCh, long prevOut, bool addSample) => new(
            layers, config.TransformerLayersAt(block), inCh, outCh, prevOut, temb, addSample, config.NormNumGroups, config.NormEps,
            1.0, config.Dropout, config.HeadsAt(block), config.CrossAttentionDimAt(block), config.UseLinearProjection,
            config.UpcastAttention, config.DownsamplePadding);

        downBlocks = Register("down_blocks", new ModuleList<Module>());
        long output = ch[0];
        for (int i = 0; i < n; i++)
        {
            long input = output;
            output = ch[i];
            var spec = Spec(i, config.LayersAt(i), input, output, 0, addSample: i != n - 1);
            downBlocks.Add(UNetConfig.StripPrefix(config.DownBlockTypes[i]) == "CrossAttnDownBlock2D"
                ? new CrossAttnDownBlock2D(spec)
                : new DownBlock2D(spec));
        }

        if (config.MidBlockType is not null)
        {
            var mid = Spec(n - 1, 1, ch[n - 1], ch[n - 1], 0, false) with { OutputScaleFactor = config.MidBlockScaleFactor };
            midBlock = Register("mid_block", new UNetMidBlock2DCrossAttn(mid));
        }

        // up blocks mirror the down blocks: block i uses the per-block options of down block n-1-i
        upBlocks = Register("up_blocks", new ModuleList<Module>());
        output = ch[n - 1];
        for (int i = 0; i < n; i++)
        {
            int mirror = n - 1 - i;
            long prev = output;
            output = ch[mirror];
            long input = ch[Math.Max(mirror - 1, 0)];
            bool addUpsample = i != n - 1;
            if (addUpsample) upsamplers++;
            var spec = Spec(mirror, config.LayersAt(mirror) + 1, input, output, prev, addUpsample);
            upBlocks.Add(UNetConfig.StripPrefix(config.UpBlockTypes[i]) == "CrossAttnUpBlock2D"
                ? new CrossAttnUpBlock2D(spec)
                : new UpBlock2D(spec));
        }

        convNormOut = Register("conv_norm_out", new GroupNorm(config.NormNumGroups, ch[0], config.NormEps));
        convOut = Register("conv_out", new Conv2d(ch[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2));
    }

    public UNetConfig Config { get; }

    /// <summary>
    /// Predicts the noise (or v) for <paramref name="sample"/> [B, in_channels, H, W] at
    /// <paramref name="timestep"/> (0-dim, [1] or [B]; integer or float) conditioned on
    /// <paramref name="encoderHiddenStates"/> [B, L, cross_attention_dim]. Returns [B, out_channels, H, W] in the
    /// model's dtype, owned by the caller's dispose scope.
    /// </summary>
    /// <param name="capture">Optional: called with diffusers' module names (time_proj, time_embedding, conv_in,
    /// down_blocks.i, mid_block, up_blocks.i, conv_norm_out, conv_out) and their outputs, which are freed after
    /// the call: keep t.clone().DetachFromDisposeScope() (the clone is yours to dispose).</param>
    public Tensor forward(Tensor sample, Tensor timestep, Tensor encoderHiddenStates, Action<string, Tensor>? capture = null)
    {
        var shape = sample.shape;
        if (shape.Length != 4 || shape[1] != Config.InChannels)
            throw new ArgumentException($"sample must be [B, {Config.InChannels}, H, W], got [{string.Join(", ", shape)}]", nameof(sample));
        long batch = shape[0];
        var ehs = encoderHiddenStates.shape;
        if (ehs.Length != 3 || ehs[0] != batch)
            throw new ArgumentException($"encoder_hidden_states must be [{batch}, L, C], got [{string.Join(", ", ehs)}]", nameof(encoderHiddenStates));

        using var scope = torch.NewDisposeScope();

        // 1. time: a 0-dim or [1] timestep applies to the whole batch
        var onDevice = timestep.device == sample.device ? timestep : timestep.to(sample.device);
        var t = onDevice.ndim switch
        {
            0 => onDevice.reshape(1).expand(batch),
            1 when onDevice.size(0) == batch => onDevice,
            1 when onDevice.size(0) == 1 => onDevice.expand(batch),
            _ => throw new ArgumentException($"timestep must be 0-dim, [1] or [{batch}], got [{string.Join(", ", timestep.shape)}]", nameof(timestep)),
        };
        var tProj = TimestepProjection.Sinusoidal(t, Config.BlockOutChannels[0], Config.FlipSinToCos, Config.FreqShift).to(sample.dtype);
        capture?.Invoke("time_proj", tProj);
        var emb = timeEmbedding.forward(tProj);
        capture?.Invoke("time_embedding", emb);

        // 2. pre-process
        var x = Config.CenterInputSample ? sample.mul(2.0).sub(1.0) : sample;
        var h = convIn.forward(x);
        capture?.Invoke("conv_in", h);

        // 3. down
        var skips = new List<Tensor> { h };
        for (int i = 0; i < downBlocks.Count; i++)
        {
            var outputs = ((IUNetDownBlock)downBlocks[i]).Forward(h, emb, encoderHiddenStates);
            skips.AddRange(outputs);
            h = outputs[^1];
            capture?.Invoke($"down_blocks.{i}", h);
        }

        // 4. mid
        if (midBlock is not null)
        {
            h = midBlock.Forward(h, emb, encoderHiddenStates);
            capture?.Invoke("mid_block", h);
        }

        // 5. up: when H or W is not a multiple of 2^upsamplers, each upsampler is told the size of the skip
        // it will meet instead of doubling
        long factor = 1L << upsamplers;
        bool forwardUpsampleSize = shape[2] % factor != 0 || shape[3] % factor != 0;
        for (int i = 0; i < upBlocks.Count; i++)
        {
            var block = (IUNetUpBlock)upBlocks[i];
            var taken = skips.GetRange(skips.Count - block.SkipCount, block.SkipCount);
            skips.RemoveRange(skips.Count - block.SkipCount, block.SkipCount);
            (long, long)? size = null;
            if (i != upBlocks.Count - 1 && forwardUpsampleSize)
            {
                var s = skips[^1].shape;
                size = (s[2], s[3]);
            }
            var next = block.Forward(h, taken, emb, encoderHiddenStates, size);
            capture?.Invoke($"up_blocks.{i}", next);
            // the consumed skips (the first down output included) are no longer needed
            foreach (var used in taken) used.Dispose();
            if (!h.IsDisposed && !ReferenceEquals(h, sample)) h.Dispose();
            h = next;
        }

        // 6. post-process
        var normed = convNormOut.forward(h);
        capture?.Invoke("conv_norm_out", normed);
        var result = convOut.forward(BlockOps.SiluOwned(normed));
        capture?.Invoke("conv_out", result);
        return result.MoveToOuterDisposeScope();
    }
}
