using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Training.FineTune;

/// <summary>LoRA training on the golden tiny pipeline: seeded, resumable bit for bit, base weights untouched.</summary>
[TestFixture]
public sealed class LoraTrainerTests
{
    private StableDiffusionModel model = null!;

    [OneTimeSetUp]
    public void Setup()
    {
        torch.set_num_threads(1);
        model = FineTuneFixtures.LoadModel();
    }

    [OneTimeTearDown]
    public void TearDown() => model.Dispose();

    private static Dictionary<string, float[]> Tensors(LoraTrainer t) => t.NamedParameters.ToDictionary(p => p.Key, p => p.Value.data<float>());

    [Test]
    public void ThreeStepsResumedForThreeMoreEqualSixStraightStepsBitForBit()
    {
        using var temp = new FineTuneFixtures.Temp();
        var examples = FineTuneFixtures.Examples();
        using var straight = new LoraTrainer(model, examples, FineTuneFixtures.Spec(6));
        var straightLosses = new List<double>();
        straight.Run(temp.Sub("straight"), p => straightLosses.Add(p.Loss));
        straight.SaveAdapter(temp.Sub("straight.safetensors"));

        var resumedLosses = new List<double>();
        using (var first = new LoraTrainer(model, examples, FineTuneFixtures.Spec(3)))
            first.Run(temp.Sub("resumed"), p => resumedLosses.Add(p.Loss));
        Assert.That(LoraTrainer.LatestCheckpointStep(temp.Sub("resumed")), Is.EqualTo(3));
        using var resumed = new LoraTrainer(model, examples, FineTuneFixtures.Spec(6));
        var steps = new List<long>();
        resumed.Run(temp.Sub("resumed"), p =>
        {
            steps.Add(p.Step);
            resumedLosses.Add(p.Loss);
        });
        resumed.SaveAdapter(temp.Sub("resumed.safetensors"));

        Assert.Multiple(() =>
        {
            Assert.That(steps, Is.EqualTo(new long[] { 4, 5, 6 }), "the resumed run continues at step 4");
            Assert.That(resumedLosses, Is.EqualTo(straightLosses));
            var a = Tensors(straight);
            var b = Tensors(resumed);
            Assert.That(b.Keys, Is.EquivalentTo(a.Keys));
            foreach (var (key, value) in a) Assert.That(b[key], Is.EqualTo(value), key);
            Assert.That(File.ReadAllBytes(temp.Sub("resumed.safetensors")), Is.EqualTo(File.ReadAllBytes(temp.Sub("straight.safetensors"))),
                "same spec, images and seed: the same adapter bytes");
            Assert.That(a.Where(p => p.Key.EndsWith(".lora_B.weight", StringComparison.Ordinal)).Any(p => p.Value.Any(v => v != 0)),
                "B left zero: nothing was trained");
        });
    }

    [Test]
    public void AnotherSeedGivesAnotherAdapter()
    {
        var examples = FineTuneFixtures.Examples();
        using var a = new LoraTrainer(model, examples, FineTuneFixtures.Spec(1, seed: 1));
        using var b = new LoraTrainer(model, examples, FineTuneFixtures.Spec(1, seed: 2));
        a.Run();
        b.Run();
        var key = a.NamedParameters[0].Key;
        Assert.That(Tensors(b)[key], Is.Not.EqualTo(Tensors(a)[key]));
    }

    [Test]
    public void CheckpointsAreKeptNewestFirstAndRefuseAnotherSpec()
    {
        using var temp = new FineTuneFixtures.Temp();
        var examples = FineTuneFixtures.Examples();
        using (var t = new LoraTrainer(model, examples, FineTuneFixtures.Spec(5)))
            t.Run(temp.Path);
        var dirs = Directory.GetDirectories(temp.Path).Select(Path.GetFileName).Order().ToArray();
        Assert.That(dirs, Is.EqualTo(new[] { "step-00000004", "step-00000005" }), "checkpoints every 2 steps and at the end, two kept, no partial folder");
        Assert.That(Directory.GetFiles(Path.Combine(temp.Path, "step-00000005")).Select(Path.GetFileName).Order(),
            Is.EqualTo(new[] { "adapter.safetensors", "optimizer.safetensors", "state.json" }));

        using var other = new LoraTrainer(model, examples, FineTuneFixtures.Spec(6) with { LearningRate = 5e-4 });
        var e = Assert.Throws<InvalidOperationException>(() => other.Run(temp.Path));
        Assert.That(e!.Message, Does.Contain("another spec"));
        using var otherImages = new LoraTrainer(model, FineTuneFixtures.Examples(4), FineTuneFixtures.Spec(6));
        e = Assert.Throws<InvalidOperationException>(() => otherImages.Run(temp.Path));
        Assert.That(e!.Message, Does.Contain("other images"));
    }

    [Test]
    public void LossOnAFixedBatchFallsWhileBaseWeightsStayFrozenAndUnchanged()
    {
        var before = FineTuneFixtures.Snapshot(model);
        using var trainer = new LoraTrainer(model, FineTuneFixtures.Examples(), FineTuneFixtures.Spec(40) with { LearningRate = 1e-2 });
        double start = trainer.EvaluateLoss(77);
        trainer.Run();
        double end = trainer.EvaluateLoss(77);
        TestContext.Out.WriteLine($"fixed-batch loss {start:F5} -> {end:F5}");
        Assert.Multiple(() =>
        {
            Assert.That(end, Is.LessThan(0.9 * start));
            Assert.That(model.Unet.Parameters().Concat(model.TextEncoder.Parameters()).Any(p => p.requires_grad), Is.False,
                "base weights must not require grad");
            var after = FineTuneFixtures.Snapshot(model);
            foreach (var (key, value) in before) Assert.That(after[key], Is.EqualTo(value), key);
        });
    }

    [Test]
    public void TargetsEveryAttentionProjectionAndTheTextEncoderWhenAsked()
    {
        var shapes = BaseModelShapes.FromModels(model.Unet, model.TextEncoder);
        int unetProjections = shapes.Unet.Keys.Count(k => LoraTrainer.UnetProjections.Any(p => k.EndsWith("." + p, StringComparison.Ordinal)));
        int textProjections = shapes.TextEncoder.Keys.Count(k => LoraTrainer.TextEncoderProjections.Any(p => k.EndsWith("." + p, StringComparison.Ordinal)));
        using var unetOnly = new LoraTrainer(model, FineTuneFixtures.Examples(), FineTuneFixtures.Spec(1));
        using var both = new LoraTrainer(model, FineTuneFixtures.Examples(), FineTuneFixtures.Spec(1) with { TrainTextEncoder = true });
        both.Run();
        Assert.Multiple(() =>
        {
            Assert.That(unetProjections, Is.GreaterThan(0));
            Assert.That(unetOnly.Adapter.Summary.UnetTargetCount, Is.EqualTo(unetProjections));
            Assert.That(unetOnly.Adapter.Summary.TextEncoderTargetCount, Is.Zero);
            Assert.That(both.Adapter.Summary.TextEncoderTargetCount, Is.EqualTo(textProjections));
            // one step moves B away from zero wherever gradients reach: the text encoder's too
            var textUp = both.Adapter.Layers.Where(l => l.Target.Component == LoraComponent.TextEncoder).Select(l => l.Up.abs().sum().item<float>());
            Assert.That(textUp.All(v => v > 0), "every text-encoder B must have been trained");
            Assert.That(both.Adapter.Layers.All(l => l.Down.size(0) == 4 && l.Up.size(1) == 4), "rank 4");
        });
    }

    [Test]
    public void SavedAdapterLoadsThroughTheEngineAndRendersLikeTheLiveOne()
    {
        using var temp = new FineTuneFixtures.Temp();
        var settings = new GenerationSettings { Width = 64, Height = 64, Steps = 3, Scheduler = "euler" };
        var baseBefore = new StableDiffusionPipeline(model).Generate(settings, [new SampleRequest { Prompt = "zqbrand a circle", Seed = 9 }])[0].Image!;

        using var trainer = new LoraTrainer(model, FineTuneFixtures.Examples(), FineTuneFixtures.Spec(8) with { LearningRate = 1e-2, TrainTextEncoder = true });
        trainer.Run();
        string path = temp.Sub("brand.safetensors");
        trainer.SaveAdapter(path);

        var shapes = BaseModelShapes.FromModelFolder(FineTuneFixtures.ModelFolder);
        var summary = LoraAdapterFile.Inspect(path, shapes);
        using var loaded = LoraAdapterFile.Load(path, shapes);
        var info = FineTuneAdapterInfo.Read(path);
        var previews = trainer.RenderPreviews("zqbrand a circle", [9], settings);
        var fromFile = LoraPreviews.Render(model, loaded, "zqbrand a circle", [9], settings);

        Assert.Multiple(() =>
        {
            Assert.That(summary.Format, Is.EqualTo(LoraFormat.Diffusers));
            Assert.That(summary.Rank, Is.EqualTo(4));
            Assert.That(summary.Alpha, Is.EqualTo(4));
            Assert.That(summary.TargetCount, Is.EqualTo(trainer.Adapter.Summary.TargetCount));
            Assert.That(info, Is.EqualTo(new FineTuneAdapterInfo("golden-pipeline", "zqbrand", 4, 4, 8, 5, 32)));
            Assert.That(previews[0].Base.Pixels, Is.EqualTo(baseBefore.Pixels), "renders without the adapter are the base model's");
            Assert.That(FineTuneFixtures.MeanAbsDiff(previews[0].Adapted.Pixels, previews[0].Base.Pixels), Is.GreaterThan(1.0), "the adapter must change the render");
            Assert.That(fromFile[0].Adapted.Pixels, Is.EqualTo(previews[0].Adapted.Pixels), "the file renders as the trained adapter");
            var png = previews[0].AdaptedPng();
            Assert.That(png[..8], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
            Assert.That(GenArt.Imaging.ImageDecoder.Decode(png, "preview.png").Pixels, Is.EqualTo(previews[0].Adapted.Pixels));
        });
    }

    [Test]
    public void PreviewsBetweenStepsLeaveTrainingUnchanged()
    {
        var examples = FineTuneFixtures.Examples();
        var settings = new GenerationSettings { Width = 32, Height = 32, Steps = 2, Scheduler = "euler" };
        using var plain = new LoraTrainer(model, examples, FineTuneFixtures.Spec(4));
        plain.Run();
        using var previewed = new LoraTrainer(model, examples, FineTuneFixtures.Spec(4));
        var rendered = new List<(long Step, byte[] Png)>();
        previewed.Run(progress: p =>
        {
            if (p.Step % 2 == 0) rendered.Add((p.Step, previewed.RenderPreviews("zqbrand", [3], settings)[0].AdaptedPng()));
        });
        Assert.Multiple(() =>
        {
            Assert.That(rendered.Select(r => r.Step), Is.EqualTo(new long[] { 2, 4 }));
            Assert.That(rendered[1].Png, Is.Not.EqualTo(rendered[0].Png), "the adapter moved between the previews");
            foreach (var ((key, a), (_, b)) in plain.NamedParameters.Zip(previewed.NamedParameters))
                Assert.That(b.data<float>(), Is.EqualTo(a.data<float>()), key);
        });
    }

    [Test]
    public void OffsetNoiseChangesTheTrajectoryAndStaysDeterministic()
    {
        var examples = FineTuneFixtures.Examples();
        Dictionary<string, float[]> Train(double offset)
        {
            using var trainer = new LoraTrainer(model, examples, FineTuneFixtures.Spec(2) with { NoiseOffset = offset });
            trainer.Run();
            return Tensors(trainer);
        }
        var plain = Train(0);
        var offset = Train(0.3);
        var again = Train(0.3);
        var key = plain.Keys.First(k => k.Contains("lora_B", StringComparison.Ordinal));
        Assert.That(offset[key], Is.Not.EqualTo(plain[key]), "the offset is part of the noise the adapter learns from");
        Assert.That(again.Keys.All(k => again[k].AsSpan().SequenceEqual(offset[k])), Is.True, "seeded like the rest of the step");
    }

    [Test]
    public void SpecValuesOutOfRangeAreRefusedByField()
    {
        var examples = FineTuneFixtures.Examples();
        (LoraTrainingSpec Spec, string Field)[] cases =
        [
            (FineTuneFixtures.Spec(1) with { Rank = 0 }, "rank"),
            (FineTuneFixtures.Spec(1) with { Alpha = double.NaN }, "alpha"),
            (FineTuneFixtures.Spec(0), "steps"),
            (FineTuneFixtures.Spec(1) with { LearningRate = -1 }, "learning_rate"),
            (FineTuneFixtures.Spec(1) with { TriggerWord = "two words" }, "trigger_word"),
            (FineTuneFixtures.Spec(1) with { NoiseOffset = 1.5 }, "noise_offset"),
        ];
        foreach (var (spec, field) in cases)
        {
            var e = Assert.Throws<FineTuneInputException>(() => new LoraTrainer(model, examples, spec).Dispose());
            Assert.That(e!.Field, Is.EqualTo(field));
        }
    }
}
