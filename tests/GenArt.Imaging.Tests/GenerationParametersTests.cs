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

    [Test]
    public void Parse_reads_back_what_was_written()
    {
        var original = Sample with
        {
            Prompt = "line one\nline two: with colon, and comma",
            NegativePrompt = "bad hands\nNegative prompt: is only special once",
            Extra = [new("Lora hashes", "brand_a: 1a2b, brand_b: 3c4d"), new("Clip skip", "2"), new("Note", "ü\"q\"\\")],
        };
        var parsed = GenerationParameters.ParseA1111(original.ToA1111Text());
        Assert.Multiple(() =>
        {
            Assert.That(parsed with { Extra = [] }, Is.EqualTo(original with { Extra = [] }));
            Assert.That(parsed.Extra, Is.EqualTo(original.Extra));
        });
    }

    [Test]
    public void Parse_reads_webui_text_without_negative_prompt()
    {
        var parsed = GenerationParameters.ParseA1111(
            "masterpiece, 1girl\nSteps: 28, Sampler: Euler a, CFG scale: 7.0, Seed: 3921, Size: 512x768, Model hash: 6ce0161689, Model: anything-v3");
        Assert.Multiple(() =>
        {
            Assert.That(parsed.Prompt, Is.EqualTo("masterpiece, 1girl"));
            Assert.That(parsed.NegativePrompt, Is.Null);
            Assert.That((parsed.Steps, parsed.Sampler, parsed.CfgScale, parsed.Seed), Is.EqualTo((28, "Euler a", 7.0, 3921L)));
            Assert.That((parsed.Width, parsed.Height, parsed.Model), Is.EqualTo((512, 768, "anything-v3")));
            Assert.That(parsed.Extra, Is.EqualTo(new[] { new KeyValuePair<string, string>("Model hash", "6ce0161689") }));
        });
    }

    [TestCase("just a prompt", "settings line")]
    [TestCase("p\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1", "Size")]
    [TestCase("p\nSteps: twenty, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 1x1", "Steps")]
    [TestCase("p\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 512", "WIDTHxHEIGHT")]
    [TestCase("p\nSteps: 20, Sampler: \"Euler, CFG scale: 7", "unterminated")]
    public void Parse_names_what_is_wrong(string text, string expected)
    {
        Assert.That(() => GenerationParameters.ParseA1111(text), Throws.TypeOf<FormatException>().With.Message.Contains(expected));
    }
}
