using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Models.TextEncoder;

/// <summary>The real SD 1.x and SD 2.x text encoder shapes, with random weights (no checkpoint needed).</summary>
public sealed class ClipTextModelPresetTests
{
    private static IEnumerable<TestCaseData> Presets()
    {
        yield return new TestCaseData(ClipTextConfig.StableDiffusion1, 123_060_480L).SetName("StableDiffusion1_ClipVitL14");
        yield return new TestCaseData(ClipTextConfig.StableDiffusion2, 340_387_840L).SetName("StableDiffusion2_OpenClipVitH14_23Layers");
    }

    [TestCaseSource(nameof(Presets))]
    public void RandomWeightsGiveFiniteEmbeddingsOfTheRightShape(ClipTextConfig config, long parameterCount)
    {
        using var model = new ClipTextModel(config);
        Assert.That(model.ParameterCount(), Is.EqualTo(parameterCount));
        using (var generator = new Generator(11)) model.ResetParameters(generator);

        var ids = new long[2 * 77];
        long[] prompt = [49406, 320, 1125, 539, 550, 49407];
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 77; i++)
                ids[b * 77 + i] = i < prompt.Length ? prompt[i] : 49407;
        ids[77 + 1] = 2368;
        using var input = torch.tensor(ids, 2, 77);
        using var _ = torch.inference_mode();
        using var output = model.Forward(input);
        using var skipped = model.Encode(input, clipSkip: 1);

        using var finite = output.LastHiddenState.isfinite();
        using var allFinite = finite.to(ScalarType.Int64).sum();
        using var finiteSkip = skipped.isfinite();
        using var allFiniteSkip = finiteSkip.to(ScalarType.Int64).sum();
        using var sample0 = output.LastHiddenState.select(0, 0);
        using var sample1 = output.LastHiddenState.select(0, 1);
        Assert.Multiple(() =>
        {
            Assert.That(output.LastHiddenState.shape, Is.EqualTo(new long[] { 2, 77, config.HiddenSize }));
            Assert.That(output.PooledOutput.shape, Is.EqualTo(new long[] { 2, config.HiddenSize }));
            Assert.That(skipped.shape, Is.EqualTo(new long[] { 2, 77, config.HiddenSize }));
            Assert.That(allFinite.item<long>(), Is.EqualTo(2 * 77 * config.HiddenSize));
            Assert.That(allFiniteSkip.item<long>(), Is.EqualTo(2 * 77 * config.HiddenSize));
            // Different prompts give different embeddings.
            Assert.That(GoldenFiles.MaxAbsDiff(sample0, sample1), Is.GreaterThan(0));
        });
    }
}
