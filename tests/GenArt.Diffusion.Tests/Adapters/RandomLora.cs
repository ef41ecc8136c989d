using GenArt.Diffusion.Adapters;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Adapters;

/// <summary>Writes adapter files with random weights for a model's layers: down ~ N(0, 1)/sqrt(fan_in),
/// up ~ <c>upScale</c> * N(0, 1)/sqrt(r), large enough to change the images visibly.</summary>
internal static class RandomLora
{
    /// <summary>The attention, projection and feed-forward layers of the UNet, its first resnet convs (LoCon) and the
    /// text encoder's attention and MLP layers.</summary>
    public static bool Typical(LoraComponent component, string module) => component == LoraComponent.TextEncoder
        ? module.Contains(".layers.", StringComparison.Ordinal)
        : module.Contains(".attentions.", StringComparison.Ordinal) || module.EndsWith(".conv1", StringComparison.Ordinal);

    public static string Write(string path, BaseModelShapes shapes, ulong seed, int rank = 4, double alpha = 4, LoraFormat format = LoraFormat.Kohya,
        double upScale = 0.5, Func<LoraComponent, string, bool>? select = null)
    {
        select ??= Typical;
        using var generator = new Generator(seed);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var component in new[] { LoraComponent.Unet, LoraComponent.TextEncoder })
        {
            foreach (var (module, shape) in shapes.Of(component).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!select(component, module)) continue;
                long[] downShape = shape.Length == 2 ? [rank, shape[1]] : [rank, shape[1], shape[2], shape[3]];
                long[] upShape = shape.Length == 2 ? [shape[0], rank] : [shape[0], rank, 1, 1];
                long fanIn = downShape.Skip(1).Aggregate(1L, (a, b) => a * b);
                var down = torch.randn(downShape, generator).mul_(1 / Math.Sqrt(fanIn));
                var up = torch.randn(upShape, generator).mul_(upScale / Math.Sqrt(rank));
                string name = format switch
                {
                    LoraFormat.Kohya => (component == LoraComponent.Unet ? "lora_unet_" : "lora_te_") + module.Replace('.', '_'),
                    LoraFormat.Diffusers => (component == LoraComponent.Unet ? "unet." : "text_encoder.") + module,
                    _ => "base_model.model." + module,
                };
                if (format == LoraFormat.Kohya)
                {
                    tensors[name + ".lora_down.weight"] = down;
                    tensors[name + ".lora_up.weight"] = up;
                    tensors[name + ".alpha"] = torch.tensor(new float[] { (float)alpha });
                }
                else
                {
                    tensors[name + ".lora_A.weight"] = down;
                    tensors[name + ".lora_B.weight"] = up;
                }
            }
        }
        var metadata = format == LoraFormat.Diffusers
            ? new Dictionary<string, string> { ["lora_adapter_metadata"] = FormattableString.Invariant($"{{\"unet.r\": {rank}, \"unet.lora_alpha\": {alpha}, \"text_encoder.r\": {rank}, \"text_encoder.lora_alpha\": {alpha}}}") }
            : null;
        SafeTensorsWriter.Save(path, tensors, metadata);
        foreach (var t in tensors.Values) t.Dispose();
        return path;
    }
}
