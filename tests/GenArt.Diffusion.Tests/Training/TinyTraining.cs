using GenArt.Diffusion.Training;
using GenArt.Procedural;

namespace GenArt.Diffusion.Tests.Training;

/// <summary>Configs small enough to train for a few dozen steps inside a test, on 32x32 procedural images.</summary>
internal static class TinyTraining
{
    public const int ImageSize = 32;

    public static TrainingExample Example(long index)
    {
        var sample = Dataset.Sample(Dataset.TrainingSeed(index), ImageSize);
        return new TrainingExample(sample.Image.Pixels, ImageSize, sample.Caption);
    }

    public static BaseModelSpec Spec => new(Unet, Vae, TextEncoder, Scheduler);

    public const string Unet = """
        {"_class_name": "UNet2DConditionModel", "act_fn": "silu", "attention_head_dim": 2, "block_out_channels": [16, 32],
         "cross_attention_dim": 32, "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "in_channels": 4,
         "layers_per_block": 1, "norm_num_groups": 8, "out_channels": 4, "sample_size": 16,
         "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]}
        """;

    public const string Vae = """
        {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [16, 32],
         "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"], "in_channels": 3, "latent_channels": 4,
         "layers_per_block": 1, "norm_num_groups": 8, "out_channels": 3, "sample_size": 32, "scaling_factor": 0.18215,
         "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"]}
        """;

    public const string TextEncoder = """
        {"hidden_act": "quick_gelu", "hidden_size": 32, "intermediate_size": 64, "max_position_embeddings": 32,
         "num_attention_heads": 2, "num_hidden_layers": 1, "projection_dim": 32, "vocab_size": 49408, "layer_norm_eps": 1e-05}
        """;

    public const string Scheduler = """
        {"_class_name": "DDIMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
         "clip_sample": false, "num_train_timesteps": 1000, "prediction_type": "epsilon", "set_alpha_to_one": false,
         "steps_offset": 1}
        """;

    public static double[] Losses(string phaseFolder) =>
        File.ReadAllLines(Path.Combine(phaseFolder, "loss.csv"))
            .Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();

    /// <summary>A scratch folder removed by Dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("genart-train-test-").FullName;

        public string Sub(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
