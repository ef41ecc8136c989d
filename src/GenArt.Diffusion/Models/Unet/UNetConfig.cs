using GenArt.Diffusion.Models.Blocks;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>
/// The options of a diffusers UNet2DConditionModel config.json that this engine implements, with diffusers'
/// defaults. Per-block options hold one value (the same for every block) or one per down block.
/// </summary>
/// <remarks>
/// <see cref="FromJson"/> refuses every option it does not implement (class or addition embeddings, time
/// condition projection, other block or embedding types, ...) naming the field, and every field it does not
/// know, rather than building a model that silently differs from the checkpoint's.
/// </remarks>
public sealed record UNetConfig
{
    public static readonly IReadOnlyList<string> SupportedDownBlocks = ["CrossAttnDownBlock2D", "DownBlock2D"];
    public static readonly IReadOnlyList<string> SupportedUpBlocks = ["CrossAttnUpBlock2D", "UpBlock2D"];
    public const string MidBlockCrossAttn = "UNetMidBlock2DCrossAttn";

    public int[]? SampleSize { get; init; }
    public int InChannels { get; init; } = 4;
    public int OutChannels { get; init; } = 4;
    public bool CenterInputSample { get; init; }
    public bool FlipSinToCos { get; init; } = true;
    public double FreqShift { get; init; }
    public string[] DownBlockTypes { get; init; } = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"];
    /// <summary>"UNetMidBlock2DCrossAttn", or null for a UNet without a mid block.</summary>
    public string? MidBlockType { get; init; } = MidBlockCrossAttn;
    public string[] UpBlockTypes { get; init; } = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"];
    public int[] BlockOutChannels { get; init; } = [320, 640, 1280, 1280];
    public int[] LayersPerBlock { get; init; } = [2];
    public int DownsamplePadding { get; init; } = 1;
    public double MidBlockScaleFactor { get; init; } = 1;
    public double Dropout { get; init; }
    public string ActFn { get; init; } = "silu";
    public int NormNumGroups { get; init; } = 32;
    public double NormEps { get; init; } = 1e-5;
    public int[] CrossAttentionDim { get; init; } = [1280];
    public int[] TransformerLayersPerBlock { get; init; } = [1];
    /// <summary>diffusers' historical name: without <see cref="NumAttentionHeads"/>, this is the number of
    /// heads of each block (SD 1.x: 8; SD 2.x: [5, 10, 20, 20]), not the head dimension.</summary>
    public int[] AttentionHeadDim { get; init; } = [8];
    /// <summary>The number of heads per block; when set it takes precedence over <see cref="AttentionHeadDim"/>.
    /// (diffusers itself refuses this field for UNet2DConditionModel; here it means what it says.)</summary>
    public int[]? NumAttentionHeads { get; init; }
    public bool UseLinearProjection { get; init; }
    public bool UpcastAttention { get; init; }
    public string ResnetTimeScaleShift { get; init; } = "default";
    public double ResnetOutScaleFactor { get; init; } = 1.0;
    public string TimeEmbeddingType { get; init; } = "positional";
    public int? TimeEmbeddingDim { get; init; }
    public int ConvInKernel { get; init; } = 3;
    public int ConvOutKernel { get; init; } = 3;
    public string AttentionType { get; init; } = "default";

    public int BlockCount => BlockOutChannels.Length;

    /// <summary>Width of the time embedding (time_embedding_dim, or 4x the first block's channels).</summary>
    public int TimeEmbedDim => TimeEmbeddingDim ?? BlockOutChannels[0] * 4;

    public int LayersAt(int block) => PerBlock(LayersPerBlock, block);
    public int CrossAttentionDimAt(int block) => PerBlock(CrossAttentionDim, block);
    public int TransformerLayersAt(int block) => PerBlock(TransformerLayersPerBlock, block);
    public int HeadsAt(int block) => PerBlock(NumAttentionHeads ?? AttentionHeadDim, block);

    private static int PerBlock(int[] values, int block) => values.Length == 1 ? values[0] : values[block];

    public static UNetConfig FromFile(string path) => FromJson(File.ReadAllText(path));

    /// <summary>Parses and validates a diffusers UNet2DConditionModel config.json.</summary>
    public static UNetConfig FromJson(string json)
    {
        var config = ConfigReader.Parse(json, r =>
        {
            var d = new UNetConfig();
            var c = new UNetConfig
            {
                SampleSize = r.IntOrList("sample_size"),
                InChannels = r.Int("in_channels", d.InChannels),
                OutChannels = r.Int("out_channels", d.OutChannels),
                CenterInputSample = r.Bool("center_input_sample", false),
                FlipSinToCos = r.Bool("flip_sin_to_cos", d.FlipSinToCos),
                FreqShift = r.Double("freq_shift", 0),
                DownBlockTypes = r.StringList("down_block_types") ?? d.DownBlockTypes,
                // absent: diffusers' default; an explicit null: no mid block
                MidBlockType = r.IsPresent("mid_block_type") ? r.String("mid_block_type", null) : MidBlockCrossAttn,
                UpBlockTypes = r.StringList("up_block_types") ?? d.UpBlockTypes,
                BlockOutChannels = r.IntList("block_out_channels") ?? d.BlockOutChannels,
                LayersPerBlock = r.IntOrList("layers_per_block") ?? d.LayersPerBlock,
                DownsamplePadding = r.Int("downsample_padding", d.DownsamplePadding),
                MidBlockScaleFactor = r.Double("mid_block_scale_factor", d.MidBlockScaleFactor),
                Dropout = r.Double("dropout", 0),
                ActFn = r.String("act_fn", d.ActFn)!,
                NormNumGroups = r.NullableInt("norm_num_groups") ?? throw new ModelConfigException("norm_num_groups", "null (no group norm) is not supported"),
                NormEps = r.Double("norm_eps", d.NormEps),
                CrossAttentionDim = r.IntOrList("cross_attention_dim") ?? d.CrossAttentionDim,
                TransformerLayersPerBlock = r.IntOrList("transformer_layers_per_block") ?? d.TransformerLayersPerBlock,
                AttentionHeadDim = r.IntOrList("attention_head_dim") ?? d.AttentionHeadDim,
                NumAttentionHeads = r.IntOrList("num_attention_heads"),
                UseLinearProjection = r.Bool("use_linear_projection", false),
                UpcastAttention = r.Bool("upcast_attention", false),
                ResnetTimeScaleShift = r.String("resnet_time_scale_shift", d.ResnetTimeScaleShift)!,
                ResnetOutScaleFactor = r.Double("resnet_out_scale_factor", 1.0),
                TimeEmbeddingType = r.String("time_embedding_type", d.TimeEmbeddingType)!,
                TimeEmbeddingDim = r.NullableInt("time_embedding_dim"),
                ConvInKernel = r.Int("conv_in_kernel", 3),
                ConvOutKernel = r.Int("conv_out_kernel", 3),
                AttentionType = r.String("attention_type", "default")!,
            };
            RequireAllFalse(r, "only_cross_attention", "self-attention layers attending to the text (only_cross_attention)");
            RequireAllFalse(r, "mid_block_only_cross_attention", "only_cross_attention in the mid block");
            RequireAllFalse(r, "dual_cross_attention", "dual cross-attention");
            RequireAllFalse(r, "resnet_skip_time_act", "resnet_skip_time_act");
            RequireAllFalse(r, "class_embeddings_concat", "class_embeddings_concat");
            r.RequireNull("class_embed_type", "class embeddings");
            r.RequireNull("num_class_embeds", "class embeddings");
            r.RequireNull("projection_class_embeddings_input_dim", "class embedding projection");
            r.RequireNull("addition_embed_type", "addition embeddings (SDXL text_time and others)");
            r.RequireNull("addition_time_embed_dim", "addition time embeddings");
            r.Has("addition_embed_type_num_heads"); // only read by addition embeddings, which are refused above
            r.RequireNull("encoder_hid_dim", "an encoder_hid_proj");
            r.RequireNull("encoder_hid_dim_type", "an encoder_hid_proj");
            r.RequireNull("time_cond_proj_dim", "a timestep condition projection (LCM distilled UNets)");
            r.RequireNull("time_embedding_act_fn", "an activation after the time embedding");
            r.RequireNull("timestep_post_act", "timestep_post_act");
            r.RequireNull("cross_attention_norm", "cross_attention_norm");
            r.RequireNull("reverse_transformer_layers_per_block", "reverse_transformer_layers_per_block (asymmetric UNets)");
            r.RejectUnknown("UNet2DConditionModel");
            return c;
        });
        config.Validate();
        return config;
    }

    private static void RequireAllFalse(ConfigReader r, string field, string feature)
    {
        var values = r.BoolOrList(field);
        if (values is not null && values.Any(v => v))
            throw new ModelConfigException(field, $"{feature} is not supported (only false)");
    }

    /// <summary>Checks the whole config for consistency and for options this engine implements, before any
    /// layer is built. Throws <see cref="ModelConfigException"/> naming the field.</summary>
    public void Validate()
    {
        int n = BlockOutChannels.Length;
        if (n == 0) throw new ModelConfigException("block_out_channels", "must not be empty");
        if (BlockOutChannels.Any(c => c <= 0)) throw new ModelConfigException("block_out_channels", "every entry must be > 0");
        if (DownBlockTypes.Length != n)
            throw new ModelConfigException("down_block_types", $"has {DownBlockTypes.Length} entries but block_out_channels has {n}");
        if (UpBlockTypes.Length != DownBlockTypes.Length)
            throw new ModelConfigException("up_block_types", $"has {UpBlockTypes.Length} entries but down_block_types has {DownBlockTypes.Length}");
        foreach (var t in DownBlockTypes)
            if (!SupportedDownBlocks.Contains(StripPrefix(t)))
                throw new ModelConfigException("down_block_types", $"block type '{t}' is not supported (only {string.Join(", ", SupportedDownBlocks)})");
        foreach (var t in UpBlockTypes)
            if (!SupportedUpBlocks.Contains(StripPrefix(t)))
                throw new ModelConfigException("up_block_types", $"block type '{t}' is not supported (only {string.Join(", ", SupportedUpBlocks)})");
        if (MidBlockType is not null && MidBlockType != MidBlockCrossAttn)
            throw new ModelConfigException("mid_block_type", $"block type '{MidBlockType}' is not supported (only {MidBlockCrossAttn} or null)");

        CheckPerBlock("layers_per_block", LayersPerBlock, n, 1);
        CheckPerBlock("cross_attention_dim", CrossAttentionDim, n, 1);
        CheckPerBlock("transformer_layers_per_block", TransformerLayersPerBlock, n, 1);
        CheckPerBlock("attention_head_dim", AttentionHeadDim, n, 1);
        if (NumAttentionHeads is not null) CheckPerBlock("num_attention_heads", NumAttentionHeads, n, 1);

        if (InChannels <= 0) throw new ModelConfigException("in_channels", "must be > 0");
        if (OutChannels <= 0) throw new ModelConfigException("out_channels", "must be > 0");
        if (NormNumGroups <= 0) throw new ModelConfigException("norm_num_groups", "must be > 0");
        if (!(NormEps > 0)) throw new ModelConfigException("norm_eps", "must be > 0");
        if (DownsamplePadding < 0) throw new ModelConfigException("downsample_padding", "must be >= 0");
        if (!(MidBlockScaleFactor > 0)) throw new ModelConfigException("mid_block_scale_factor", "must be > 0");
        if (Dropout is < 0 or >= 1) throw new ModelConfigException("dropout", "must be in [0, 1)");
        BlockOps.CheckActivation("act_fn", ActFn);
        if (ResnetTimeScaleShift != "default")
            throw new ModelConfigException("resnet_time_scale_shift", $"'{ResnetTimeScaleShift}' is not supported (only default)");
        if (ResnetOutScaleFactor != 1.0)
            throw new ModelConfigException("resnet_out_scale_factor", $"{ResnetOutScaleFactor} is not supported (only 1.0)");
        if (TimeEmbeddingType != "positional")
            throw new ModelConfigException("time_embedding_type", $"'{TimeEmbeddingType}' is not supported (only positional)");
        if (TimeEmbeddingDim is <= 0) throw new ModelConfigException("time_embedding_dim", "must be > 0");
        if (AttentionType != "default")
            throw new ModelConfigException("attention_type", $"'{AttentionType}' is not supported (only default)");
        if (ConvInKernel <= 0 || ConvInKernel % 2 == 0) throw new ModelConfigException("conv_in_kernel", "must be an odd size > 0");
        if (ConvOutKernel <= 0 || ConvOutKernel % 2 == 0) throw new ModelConfigException("conv_out_kernel", "must be an odd size > 0");

        for (int i = 0; i < n; i++)
        {
            if (BlockOutChannels[i] % NormNumGroups != 0)
                throw new ModelConfigException("norm_num_groups", $"{NormNumGroups} groups do not divide block_out_channels[{i}] = {BlockOutChannels[i]}");
            bool attends = StripPrefix(DownBlockTypes[i]) == "CrossAttnDownBlock2D"
                || StripPrefix(UpBlockTypes[n - 1 - i]) == "CrossAttnUpBlock2D"
                || (i == n - 1 && MidBlockType is not null);
            if (!attends) continue;
            string headsField = NumAttentionHeads is null ? "attention_head_dim" : "num_attention_heads";
            int heads = HeadsAt(i);
            if (heads <= 0 || BlockOutChannels[i] % heads != 0)
                throw new ModelConfigException(headsField, $"{heads} heads do not divide block {i}'s {BlockOutChannels[i]} channels");
        }
    }

    /// <summary>diffusers accepts block names prefixed with "UNetRes".</summary>
    internal static string StripPrefix(string type) => type.StartsWith("UNetRes", StringComparison.Ordinal) ? type["UNetRes".Length..] : type;

    private static void CheckPerBlock(string field, int[] values, int blocks, int min)
    {
        if (values.Length != 1 && values.Length != blocks)
            throw new ModelConfigException(field, $"has {values.Length} entries; give one value or one per block ({blocks})");
        if (values.Any(v => v < min)) throw new ModelConfigException(field, $"every entry must be >= {min}");
    }
}
