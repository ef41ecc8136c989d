using GenArt.Diffusion.Models.Blocks;

namespace GenArt.Diffusion.Models.Vae;

/// <summary>The options of a diffusers AutoencoderKL config.json, with diffusers' defaults.</summary>
public sealed record AutoencoderKLConfig
{
    public int InChannels { get; init; } = 3;
    public int OutChannels { get; init; } = 3;
    public string[] DownBlockTypes { get; init; } = ["DownEncoderBlock2D"];
    public string[] UpBlockTypes { get; init; } = ["UpDecoderBlock2D"];
    public int[] BlockOutChannels { get; init; } = [64];
    public int LayersPerBlock { get; init; } = 1;
    public string ActFn { get; init; } = "silu";
    public int LatentChannels { get; init; } = 4;
    public int NormNumGroups { get; init; } = 32;
    public int[]? SampleSize { get; init; }
    /// <summary>Latents are multiplied by this before denoising and divided by it before decoding.</summary>
    public double ScalingFactor { get; init; } = 0.18215;
    /// <summary>Subtracted from latents before scaling (SD3/Flux-style VAEs); null for SD 1.x/2.x.</summary>
    public double? ShiftFactor { get; init; }
    public double[]? LatentsMean { get; init; }
    public double[]? LatentsStd { get; init; }
    /// <summary>Whether pipelines should run this VAE in float32 even when the UNet runs in half precision.</summary>
    public bool ForceUpcast { get; init; } = true;
    public bool UseQuantConv { get; init; } = true;
    public bool UsePostQuantConv { get; init; } = true;
    public bool MidBlockAddAttention { get; init; } = true;

    /// <summary>Spatial downsampling from image to latent (8 for Stable Diffusion).</summary>
    public int DownsampleFactor => 1 << (BlockOutChannels.Length - 1);

    public static AutoencoderKLConfig FromFile(string path) => FromJson(File.ReadAllText(path));

    public static AutoencoderKLConfig FromJson(string json)
    {
        var config = ConfigReader.Parse(json, r =>
        {
            var d = new AutoencoderKLConfig();
            var c = new AutoencoderKLConfig
            {
                InChannels = r.Int("in_channels", d.InChannels),
                OutChannels = r.Int("out_channels", d.OutChannels),
                DownBlockTypes = r.StringList("down_block_types") ?? d.DownBlockTypes,
                UpBlockTypes = r.StringList("up_block_types") ?? d.UpBlockTypes,
                BlockOutChannels = r.IntList("block_out_channels") ?? d.BlockOutChannels,
                LayersPerBlock = r.Int("layers_per_block", d.LayersPerBlock),
                ActFn = r.String("act_fn", d.ActFn)!,
                LatentChannels = r.Int("latent_channels", d.LatentChannels),
                NormNumGroups = r.Int("norm_num_groups", d.NormNumGroups),
                SampleSize = r.IntOrList("sample_size"),
                ScalingFactor = r.Double("scaling_factor", d.ScalingFactor),
                ShiftFactor = r.NullableDouble("shift_factor"),
                LatentsMean = r.DoubleList("latents_mean"),
                LatentsStd = r.DoubleList("latents_std"),
                ForceUpcast = r.Bool("force_upcast", d.ForceUpcast),
                UseQuantConv = r.Bool("use_quant_conv", true),
                UsePostQuantConv = r.Bool("use_post_quant_conv", true),
                MidBlockAddAttention = r.Bool("mid_block_add_attention", true),
            };
            r.RejectUnknown("AutoencoderKL");
            return c;
        });
        config.Validate();
        return config;
    }

    /// <summary>Checks the whole config before any layer is built; throws <see cref="ModelConfigException"/>
    /// naming the field.</summary>
    public void Validate()
    {
        int n = BlockOutChannels.Length;
        if (n == 0) throw new ModelConfigException("block_out_channels", "must not be empty");
        if (BlockOutChannels.Any(c => c <= 0)) throw new ModelConfigException("block_out_channels", "every entry must be > 0");
        if (DownBlockTypes.Length != n)
            throw new ModelConfigException("down_block_types", $"has {DownBlockTypes.Length} entries but block_out_channels has {n}");
        if (UpBlockTypes.Length != n)
            throw new ModelConfigException("up_block_types", $"has {UpBlockTypes.Length} entries but block_out_channels has {n}");
        foreach (var t in DownBlockTypes)
            if (t != "DownEncoderBlock2D") throw new ModelConfigException("down_block_types", $"block type '{t}' is not supported (only DownEncoderBlock2D)");
        foreach (var t in UpBlockTypes)
            if (t != "UpDecoderBlock2D") throw new ModelConfigException("up_block_types", $"block type '{t}' is not supported (only UpDecoderBlock2D)");
        if (InChannels <= 0) throw new ModelConfigException("in_channels", "must be > 0");
        if (OutChannels <= 0) throw new ModelConfigException("out_channels", "must be > 0");
        if (LatentChannels <= 0) throw new ModelConfigException("latent_channels", "must be > 0");
        if (LayersPerBlock <= 0) throw new ModelConfigException("layers_per_block", "must be > 0");
        if (NormNumGroups <= 0) throw new ModelConfigException("norm_num_groups", "must be > 0");
        for (int i = 0; i < n; i++)
            if (BlockOutChannels[i] % NormNumGroups != 0)
                throw new ModelConfigException("norm_num_groups", $"{NormNumGroups} groups do not divide block_out_channels[{i}] = {BlockOutChannels[i]}");
        BlockOps.CheckActivation("act_fn", ActFn);
        if (!(ScalingFactor > 0)) throw new ModelConfigException("scaling_factor", "must be > 0");
        if (LatentsMean is not null && LatentsMean.Length != LatentChannels)
            throw new ModelConfigException("latents_mean", $"has {LatentsMean.Length} entries, expected latent_channels = {LatentChannels}");
        if (LatentsStd is not null && LatentsStd.Length != LatentChannels)
            throw new ModelConfigException("latents_std", $"has {LatentsStd.Length} entries, expected latent_channels = {LatentChannels}");
    }
}
