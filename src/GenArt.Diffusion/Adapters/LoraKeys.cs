namespace GenArt.Diffusion.Adapters;

/// <summary>The part a key plays in its layer.</summary>
internal enum LoraRole
{
    Down,
    Up,
    Alpha,
}

/// <summary>One recognised key: its layout, model, module name as written (underscored for kohya) and role.</summary>
internal readonly record struct LoraKey(string Key, LoraFormat Format, LoraComponent Component, string Module, LoraRole Role);

/// <summary>
/// Key layouts (facts of the formats, see docs/adapters.md):
/// kohya <c>lora_unet_{path with _}.lora_down.weight | .lora_up.weight | .alpha</c>, <c>lora_te_{path with _}...</c>;
/// diffusers <c>unet.{path}.lora_A.weight | .lora_B.weight</c> (also <c>.lora.down/.lora.up</c>,
/// <c>.lora_linear_layer.down/.up</c>, <c>.processor.to_q_lora.down</c>) and <c>text_encoder.{path}...</c>;
/// PEFT <c>base_model.model.{path}.lora_A.weight | .lora_B.weight</c>.
/// </summary>
internal static class LoraKeys
{
    private static readonly (string Suffix, LoraRole Role)[] KohyaSuffixes =
        [(".lora_down.weight", LoraRole.Down), (".lora_up.weight", LoraRole.Up), (".alpha", LoraRole.Alpha)];

    private static readonly (string Suffix, LoraRole Role)[] DiffusersSuffixes =
    [
        (".lora_A.weight", LoraRole.Down), (".lora_B.weight", LoraRole.Up),
        (".lora.down.weight", LoraRole.Down), (".lora.up.weight", LoraRole.Up),
        (".lora_linear_layer.down.weight", LoraRole.Down), (".lora_linear_layer.up.weight", LoraRole.Up),
        ("_lora.down.weight", LoraRole.Down), ("_lora.up.weight", LoraRole.Up),
        (".alpha", LoraRole.Alpha),
    ];

    private static readonly (string Suffix, LoraRole Role)[] PeftSuffixes =
        [(".lora_A.weight", LoraRole.Down), (".lora_B.weight", LoraRole.Up), (".alpha", LoraRole.Alpha)];

    public static LoraKey? Classify(string key)
    {
        if (key.StartsWith("lora_unet_", StringComparison.Ordinal)) return Match(key, "lora_unet_", LoraFormat.Kohya, LoraComponent.Unet, KohyaSuffixes);
        if (key.StartsWith("lora_te_", StringComparison.Ordinal)) return Match(key, "lora_te_", LoraFormat.Kohya, LoraComponent.TextEncoder, KohyaSuffixes);
        if (key.StartsWith("unet.", StringComparison.Ordinal)) return Match(key, "unet.", LoraFormat.Diffusers, LoraComponent.Unet, DiffusersSuffixes);
        if (key.StartsWith("text_encoder.", StringComparison.Ordinal))
            return Match(key, "text_encoder.", LoraFormat.Diffusers, LoraComponent.TextEncoder, DiffusersSuffixes);
        if (key.StartsWith("base_model.model.", StringComparison.Ordinal))
        {
            var found = Match(key, "base_model.model.", LoraFormat.Peft, LoraComponent.Unet, PeftSuffixes);
            // PEFT wraps one model per file: the text encoder's modules all live under text_model.
            if (found is { } f && f.Module.StartsWith("text_model.", StringComparison.Ordinal))
                return f with { Component = LoraComponent.TextEncoder };
            return found;
        }
        return null;
    }

    private static LoraKey? Match(string key, string prefix, LoraFormat format, LoraComponent component, (string Suffix, LoraRole Role)[] suffixes)
    {
        foreach (var (suffix, role) in suffixes)
        {
            if (!key.EndsWith(suffix, StringComparison.Ordinal) || key.Length <= prefix.Length + suffix.Length) continue;
            string module = key[prefix.Length..^suffix.Length];
            if (format == LoraFormat.Diffusers)
            {
                // the attention-processor layout names to_q_lora ... to_out_lora under "processor"
                if (suffix.StartsWith('_'))
                {
                    var mapped = ProcessorModule(module);
                    if (mapped is null) return null;
                    module = mapped;
                }
                else if (role == LoraRole.Alpha && module.EndsWith("_lora.down.weight", StringComparison.Ordinal))
                {
                    var mapped = ProcessorModule(module[..^"_lora.down.weight".Length]);
                    if (mapped is null) return null;
                    module = mapped;
                }
            }
            return new LoraKey(key, format, component, module, role);
        }
        return null;
    }

    /// <summary>"X.processor.to_q" to "X.to_q"; "X.processor.to_out" to "X.to_out.0".</summary>
    private static string? ProcessorModule(string name)
    {
        const string marker = ".processor.";
        int at = name.LastIndexOf(marker, StringComparison.Ordinal);
        if (at <= 0) return null;
        string owner = name[..at], projection = name[(at + marker.Length)..];
        return projection switch
        {
            "to_q" or "to_k" or "to_v" => owner + "." + projection,
            "to_out" => owner + ".to_out.0",
            _ => null,
        };
    }
}
