using System.Text.Json;

namespace GenArt.Diffusion.Loading;

/// <summary>
/// The config.json files a diffusers folder would hold, written for a single-file checkpoint from its tensor
/// shapes plus the settings shapes cannot tell. Field names and defaults are those diffusers writes for
/// UNet2DConditionModel, AutoencoderKL and the schedulers of the SD 1.x/2.x reference pipelines.
/// </summary>
internal static class SingleFileConfigs
{
    public sealed record SingleFileSettings(int ImageSize, string PredictionType, int NormNumGroups);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static SingleFileSettings Settings(StableDiffusionFamily family, CheckpointOptions options, string path)
    {
        bool sd2 = family == StableDiffusionFamily.StableDiffusion2;
        int imageSize = options.ImageSize ?? (sd2 ? 768 : 512);
        string prediction = options.PredictionType ?? (sd2 ? "v_prediction" : "epsilon");
        if (imageSize <= 0 || imageSize % 8 != 0)
            throw new CheckpointException(path, $"image size {imageSize} must be a positive multiple of 8 (the VAE downsamples by 8)");
        if (prediction is not ("epsilon" or "v_prediction"))
            throw new CheckpointException(path, $"prediction type '{prediction}' is not one of epsilon, v_prediction");
        if (options.NormNumGroups <= 0)
            throw new CheckpointException(path, $"norm_num_groups {options.NormNumGroups} must be positive");
        return new SingleFileSettings(imageSize, prediction, options.NormNumGroups);
    }

    public static string Unet(LdmUnetShape shape, StableDiffusionFamily family, SingleFileSettings settings, string path)
    {
        bool sd2 = family == StableDiffusionFamily.StableDiffusion2;
        var channels = shape.BlockOutChannels.ToArray();
        foreach (int c in channels)
        {
            if (c % settings.NormNumGroups != 0)
                throw new CheckpointException(path, $"UNet block width {c} does not divide into {settings.NormNumGroups} groups; set CheckpointOptions.NormNumGroups");
            if (sd2 && c % 64 != 0)
                throw new CheckpointException(path, $"UNet block width {c} is not a multiple of 64, the SD 2.x head size");
        }
        // diffusers' attention_head_dim is a head COUNT for SD 1.x (8 everywhere) and, for SD 2.x checkpoints
        // (64 dimensions per head), the per-block head counts width / 64.
        object headDim = sd2 ? channels.Select(c => c / 64).ToArray() : 8;
        var fields = new Dictionary<string, object?>
        {
            ["_class_name"] = "UNet2DConditionModel",
            ["act_fn"] = "silu",
            ["addition_embed_type"] = null,
            ["addition_embed_type_num_heads"] = 64,
            ["addition_time_embed_dim"] = null,
            ["attention_head_dim"] = headDim,
            ["attention_type"] = "default",
            ["block_out_channels"] = channels,
            ["center_input_sample"] = false,
            ["class_embed_type"] = null,
            ["class_embeddings_concat"] = false,
            ["conv_in_kernel"] = 3,
            ["conv_out_kernel"] = 3,
            ["cross_attention_dim"] = shape.CrossAttentionDim,
            ["cross_attention_norm"] = null,
            ["down_block_types"] = shape.DownBlockHasAttention.Select(a => a ? "CrossAttnDownBlock2D" : "DownBlock2D").ToArray(),
            ["downsample_padding"] = 1,
            ["dropout"] = 0.0,
            ["dual_cross_attention"] = false,
            ["encoder_hid_dim"] = null,
            ["encoder_hid_dim_type"] = null,
            ["flip_sin_to_cos"] = true,
            ["freq_shift"] = 0,
            ["in_channels"] = shape.InChannels,
            ["layers_per_block"] = shape.LayersPerBlock,
            ["mid_block_only_cross_attention"] = null,
            ["mid_block_scale_factor"] = 1,
            ["mid_block_type"] = "UNetMidBlock2DCrossAttn",
            ["norm_eps"] = 1e-05,
            ["norm_num_groups"] = settings.NormNumGroups,
            ["num_attention_heads"] = null,
            ["num_class_embeds"] = null,
            ["only_cross_attention"] = false,
            ["out_channels"] = shape.OutChannels,
            ["projection_class_embeddings_input_dim"] = null,
            ["resnet_out_scale_factor"] = 1.0,
            ["resnet_skip_time_act"] = false,
            ["resnet_time_scale_shift"] = "default",
            ["reverse_transformer_layers_per_block"] = null,
            ["sample_size"] = settings.ImageSize / 8,
            ["time_cond_proj_dim"] = null,
            ["time_embedding_act_fn"] = null,
            ["time_embedding_dim"] = null,
            ["time_embedding_type"] = "positional",
            ["timestep_post_act"] = null,
            ["transformer_layers_per_block"] = shape.TransformerLayersPerBlock,
            ["up_block_types"] = shape.UpBlockHasAttention.Select(a => a ? "CrossAttnUpBlock2D" : "UpBlock2D").ToArray(),
            // SD 2.1 overflows in float16 attention scores; diffusers' conversion upcasts for 2.x.
            ["upcast_attention"] = sd2,
            ["use_linear_projection"] = shape.UseLinearProjection,
        };
        return JsonSerializer.Serialize(fields, Indented);
    }

    public static string Vae(LdmVaeShape shape, SingleFileSettings settings, string path)
    {
        foreach (int c in shape.BlockOutChannels)
            if (c % settings.NormNumGroups != 0)
                throw new CheckpointException(path, $"VAE block width {c} does not divide into {settings.NormNumGroups} groups; set CheckpointOptions.NormNumGroups");
        int levels = shape.BlockOutChannels.Count;
        var fields = new Dictionary<string, object?>
        {
            ["_class_name"] = "AutoencoderKL",
            ["act_fn"] = "silu",
            ["block_out_channels"] = shape.BlockOutChannels.ToArray(),
            ["down_block_types"] = Enumerable.Repeat("DownEncoderBlock2D", levels).ToArray(),
            ["force_upcast"] = true,
            ["in_channels"] = shape.InChannels,
            ["latent_channels"] = shape.LatentChannels,
            ["latents_mean"] = null,
            ["latents_std"] = null,
            ["layers_per_block"] = shape.LayersPerBlock,
            ["mid_block_add_attention"] = shape.MidBlockHasAttention,
            ["norm_num_groups"] = settings.NormNumGroups,
            ["out_channels"] = shape.OutChannels,
            ["sample_size"] = settings.ImageSize,
            // The latent scale of every SD 1.x/2.x VAE (LDM's scale_factor); tensors cannot carry it.
            ["scaling_factor"] = 0.18215,
            ["shift_factor"] = null,
            ["up_block_types"] = Enumerable.Repeat("UpDecoderBlock2D", levels).ToArray(),
            ["use_post_quant_conv"] = shape.UsePostQuantConv,
            ["use_quant_conv"] = shape.UseQuantConv,
        };
        return JsonSerializer.Serialize(fields, Indented);
    }

    /// <summary>The reference pipelines' schedulers: runwayml SD 1.5 ships PNDM, stabilityai SD 2.x DDIM; both
    /// with the scaled-linear betas LDM trained with.</summary>
    public static string Scheduler(StableDiffusionFamily family, SingleFileSettings settings)
    {
        var fields = new Dictionary<string, object?>
        {
            ["_class_name"] = family == StableDiffusionFamily.StableDiffusion2 ? "DDIMScheduler" : "PNDMScheduler",
            ["beta_end"] = 0.012,
            ["beta_schedule"] = "scaled_linear",
            ["beta_start"] = 0.00085,
            ["clip_sample"] = false,
            ["num_train_timesteps"] = 1000,
            ["prediction_type"] = settings.PredictionType,
            ["set_alpha_to_one"] = false,
            ["skip_prk_steps"] = true,
            ["steps_offset"] = 1,
            ["timestep_spacing"] = "leading",
            ["trained_betas"] = null,
        };
        return JsonSerializer.Serialize(fields, Indented);
    }
}
