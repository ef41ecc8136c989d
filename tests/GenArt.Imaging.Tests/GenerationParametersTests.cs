namespace GenArt.Imaging.Tests;

[TestFixture]
public class GenerationParametersTests
{
    private static GenerationParameters Sample => new()
    {
        Prompt = "a photograph of an astronaut riding a horse",
        NegativePrompt = "blurry, lowres",
        Steps = 20,
        Sampler = "DPM++ 2M Karras",
        CfgScale = 7.5,
        Seed = 42,
        Width = 512,
        Height = 512,
        Model = "genart-base",
    };

    [Test]
    public void Formats_like_a1111()
    {
        Assert.That(Sample.ToA1111Text(), Is.EqualTo(
            "a photograph of an astronaut riding a horse\n" +
            "Negative prompt: blurry, lowres\n" +
            "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: genart-base"));
    }

    [Test]
    public void Omits_empty_negative_prompt_and_model_and_quotes_values_with_separators()
    {
        var p = Sample with
        {
            NegativePrompt = "",
            Model = null,
            CfgScale = 7,
            Seed = 4294967296,
            Extra = [new("Lora hashes", "brand_a: 1a2b, brand_b: 3c4d"), new("Note", "é\"q\"")],
        };
        Assert.That(p.ToA1111Text(), Is.EqualTo(
            "a photograph of an astronaut riding a horse\n" +
            "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 4294967296, Size: 512x512, " +
            "Lora hashes: \"brand_a: 1a2b, brand_b: 3c4d\", Note: é\"q\""));
    }

    [Test]
    public void Quoted_values_escape_like_python_json()
    {
        var p = Sample with { Model = "models/sd: v1, \"ema\"\nü" };
        Assert.That(p.ToA1111Text(), Does.EndWith("Model: \"models/sd: v1, \\\"ema\\\"\\n\\u00fc\""));
    }

    [Test]
    public void Invalid_fields_are_named()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => (Sample with { Steps = 0 }).ToA1111Text(), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Steps"));
            Assert.That(() => (Sample with { CfgScale = double.NaN }).ToA1111Text(), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("CFG"));
            Assert.That(() => (Sample with { Sampler = " " }).ToA1111Text(), Throws.ArgumentException.With.Message.Contains("Sampler"));
        });
    }
}
