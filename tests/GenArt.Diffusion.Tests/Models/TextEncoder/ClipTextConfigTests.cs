using GenArt.Diffusion.Models.TextEncoder;

namespace GenArt.Diffusion.Tests.Models.TextEncoder;

public sealed class ClipTextConfigTests
{
    [Test]
    public void ParsesTheGoldenTransformersConfig()
    {
        var config = ClipTextConfig.FromFile(GoldenFiles.Golden("pipeline", "text_encoder", "config.json"));
        Assert.That(config, Is.EqualTo(new ClipTextConfig
        {
            VocabSize = 49408,
            HiddenSize = 32,
            IntermediateSize = 64,
            NumHiddenLayers = 3,
            NumAttentionHeads = 4,
            MaxPositionEmbeddings = 77,
            HiddenAct = "quick_gelu",
            LayerNormEps = 1e-5,
            BosTokenId = 0,
            EosTokenId = 2,
            PadTokenId = 1,
        }));
    }

    [Test]
    public void ReadsTheTextHalfOfAFullClipConfig()
    {
        var config = ClipTextConfig.FromJson("""{"text_config": {"hidden_size": 64, "num_attention_heads": 2, "hidden_act": "gelu"}, "vision_config": {"hidden_size": 7}}""");
        Assert.Multiple(() =>
        {
            Assert.That(config.HiddenSize, Is.EqualTo(64));
            Assert.That(config.HeadDim, Is.EqualTo(32));
            Assert.That(config.HiddenAct, Is.EqualTo("gelu"));
        });
    }

    [Test]
    public void EveryProblemIsReportedAtOnce()
    {
        var e = Assert.Throws<InvalidDataException>(() => ClipTextConfig.FromJson(
            """{"hidden_size": 30, "num_attention_heads": 4, "hidden_act": "relu", "num_hidden_layers": 0}""", "te/config.json"));
        Assert.That(e!.Message, Does.StartWith("te/config.json:")
            .And.Contain("hidden_act 'relu' is not supported")
            .And.Contain("not divisible by num_attention_heads 4")
            .And.Contain("num_hidden_layers must be positive"));
    }

    [Test]
    public void AFieldOfTheWrongTypeIsNamed()
    {
        var e = Assert.Throws<InvalidDataException>(() => ClipTextConfig.FromJson("""{"hidden_size": "768"}""", "x.json"));
        Assert.That(e!.Message, Is.EqualTo("x.json: hidden_size must be an integer (got \"768\")"));
    }

    [Test]
    public void AModelIsNotBuiltFromAnInvalidConfig()
    {
        Assert.Throws<InvalidDataException>(() => new ClipTextModel(new ClipTextConfig { HiddenAct = "swish" }));
    }

    [Test]
    public void JsonRoundTrips()
    {
        var sd2 = ClipTextConfig.StableDiffusion2;
        Assert.That(ClipTextConfig.FromJson(sd2.ToJson()), Is.EqualTo(sd2));
    }
}
