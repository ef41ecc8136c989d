using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Schedulers;
using GenArt.Diffusion.Tokenization;
using GenArt.Diffusion.Training;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Training;

public sealed class TrainingLoopTests
{
    [OneTimeSetUp]
    public void Threads() => torch.set_num_threads(1);

    [Test]
    public void ACropIsTheWindowAtTheDrawnFractionsOfTheRoomLeft()
    {
        const int side = 32;
        var rgb = new byte[side * side * 3];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                (rgb[(y * side + x) * 3], rgb[(y * side + x) * 3 + 1], rgb[(y * side + x) * 3 + 2]) = ((byte)x, (byte)y, 7);
        var example = new TrainingExample(rgb, side, "a caption");

        var crop = VaeTrainer.Crop(example, 16, 0.5, 0.25);   // room left: 17 positions each way -> x0 8, y0 4
        Assert.That((crop.Size, crop.Caption), Is.EqualTo((16, "a caption")));
        Assert.That(crop.Rgb[..3], Is.EqualTo(new byte[] { 8, 4, 7 }));
        Assert.That(crop.Rgb[^3..], Is.EqualTo(new byte[] { 23, 19, 7 }));
        var last = VaeTrainer.Crop(example, 16, 0.999999, 0.999999);
        Assert.That(last.Rgb[^3..], Is.EqualTo(new byte[] { 31, 31, 7 }), "the far corner stays inside the image");
        Assert.That(VaeTrainer.Crop(example, side, 0.7, 0.7), Is.SameAs(example));
        Assert.Throws<ArgumentOutOfRangeException>(() => VaeTrainer.Crop(example, 40, 0, 0));
    }

    [Test]
    public void A_VAE_trained_on_crops_resumes_exactly()
    {
        using var temp = new TinyTraining.TempFolder();
        double[] Train(string folder, long steps)
        {
            using var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(TinyTraining.Vae));
            using (var g = new Generator(1)) vae.ResetParameters(g);
            var options = new TrainingOptions { Steps = steps, BatchSize = 4, LearningRate = 2e-3, WarmupSteps = 5, CheckpointEvery = 10 };
            new VaeTrainer(vae, TinyTraining.Example, folder, options) { CropSize = 16 }.Run();
            return TinyTraining.Losses(folder);
        }
        var straight = Train(temp.Sub("straight"), 40);
        Train(temp.Sub("resumed"), 20);
        var resumed = Train(temp.Sub("resumed"), 40);

        Assert.That(straight, Has.Length.EqualTo(40));
        Assert.That(resumed, Is.EqualTo(straight), "the crops are drawn from each step's seed, so a resumed run sees the same windows");
    }

    [Test]
    public void VaeReconstructionLossFallsWithinAFewDozenSteps()
    {
        using var temp = new TinyTraining.TempFolder();
        using var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(TinyTraining.Vae));
        using (var g = new Generator(1)) vae.ResetParameters(g);
        var options = new TrainingOptions { Steps = 40, BatchSize = 4, LearningRate = 2e-3, WarmupSteps = 5, CheckpointEvery = 20 };
        new VaeTrainer(vae, TinyTraining.Example, temp.Sub("vae"), options).Run();

        var losses = TinyTraining.Losses(temp.Sub("vae"));
        TestContext.Out.WriteLine($"first 5 steps {losses[..5].Average():F4}, last 5 {losses[^5..].Average():F4}");
        Assert.Multiple(() =>
        {
            Assert.That(losses, Has.Length.EqualTo(40));
            Assert.That(losses[^5..].Average(), Is.LessThan(0.85 * losses[..5].Average()));
            Assert.That(TrainingPhase.LatestStep(temp.Sub("vae")), Is.EqualTo(40));
            Assert.That(Directory.GetDirectories(temp.Sub("vae"), "step-*"), Has.Length.EqualTo(2), "the two newest checkpoints are kept");
        });
    }

    [Test]
    public void DecoderOnlyTrainingLeavesTheEncoderAsItWasAndLowersTheReconstructionError()
    {
        using var temp = new TinyTraining.TempFolder();
        using var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(TinyTraining.Vae));
        using (var g = new Generator(1)) vae.ResetParameters(g);
        new VaeTrainer(vae, TinyTraining.Example, temp.Sub("vae"),
            new TrainingOptions { Steps = 30, BatchSize = 4, LearningRate = 2e-3, WarmupSteps = 3, CheckpointEvery = 30 }).Run();
        var before = vae.NamedParameters().ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());
        double errorBefore = HeldOutReconstructionError(vae);
        var options = new TrainingOptions { Steps = 30, BatchSize = 4, LearningRate = 2e-3, WarmupSteps = 3, CheckpointEvery = 30 };
        var trainer = new VaeTrainer(vae, TinyTraining.Example, temp.Sub("decoder"), options) { DecoderOnly = true };
        Assert.That(trainer.Name, Is.EqualTo("vae-decoder"));
        trainer.Run();

        double errorAfter = HeldOutReconstructionError(vae);
        TestContext.Out.WriteLine($"held-out L1 before {errorBefore:F4}, after {errorAfter:F4}");
        var changed = vae.NamedParameters().Where(p => !p.Value.data<float>().ToArray().SequenceEqual(before[p.Key])).Select(p => p.Key).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(changed, Is.Not.Empty);
            Assert.That(changed, Has.All.StartWith("decoder.").Or.StartWith("post_quant_conv."), "only the decoder side moves");
            Assert.That(changed, Has.Some.StartWith("post_quant_conv."));
            Assert.That(errorAfter, Is.LessThan(0.8 * errorBefore));
        });
        using var file = GenArt.Torch.SafeTensors.SafeTensorsFile.Open(Path.Combine(temp.Sub("decoder"), "step-00000030", "weights.safetensors"));
        Assert.That(file.Names, Has.All.StartWith("decoder.").Or.StartWith("post_quant_conv."), "checkpoints hold the decoder side only");
    }

    // Mean absolute error of posterior-mean reconstructions of 8 examples the trainer never reads.
    private static double HeldOutReconstructionError(AutoencoderKL vae)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var pixels = Enumerable.Range(10_000, 8).SelectMany(i => TinyTraining.Example(i).ToChw()).ToArray();
        var images = torch.tensor(pixels, 8, 3, TinyTraining.ImageSize, TinyTraining.ImageSize);
        using var posterior = vae.Encode(images);
        return vae.Decode(posterior.Mean).sub(images).abs().mean().item<float>();
    }

    [Test]
    public void DenoiserLossFallsWithinAFewDozenSteps()
    {
        using var temp = new TinyTraining.TempFolder();
        using var models = Models.Create(temp);
        models.Trainer(temp.Sub("unet"), steps: 40).Run();

        var losses = TinyTraining.Losses(temp.Sub("unet"));
        TestContext.Out.WriteLine($"first 8 steps {losses[..8].Average():F4}, last 8 {losses[^8..].Average():F4}");
        Assert.That(losses[^8..].Average(), Is.LessThan(0.8 * losses[..8].Average()));
    }

    [Test]
    public void ResumedTrainingEqualsUninterruptedTrainingBitForBit()
    {
        using var temp = new TinyTraining.TempFolder();
        using var straight = Models.Create(temp);
        straight.Trainer(temp.Sub("straight"), steps: 6).Run();

        using (var interrupted = Models.Create(temp))
            interrupted.Trainer(temp.Sub("resumed"), steps: 3).Run();
        using var resumed = Models.Create(temp);
        resumed.Trainer(temp.Sub("resumed"), steps: 6).Run();

        Assert.Multiple(() =>
        {
            foreach (var ((name, a), (_, b)) in straight.Unet.NamedParameters().Zip(resumed.Unet.NamedParameters())
                .Concat(straight.TextEncoder.NamedParameters().Zip(resumed.TextEncoder.NamedParameters())))
                Assert.That(b.data<float>(), Is.EqualTo(a.data<float>()), name);
            Assert.That(TinyTraining.Losses(temp.Sub("resumed")), Is.EqualTo(TinyTraining.Losses(temp.Sub("straight"))));
        });
    }

    [Test]
    public void OffsetNoiseChangesTheTrajectoryAndStillResumesBitForBit()
    {
        using var temp = new TinyTraining.TempFolder();
        using (var plain = Models.Create(temp))
            plain.Trainer(temp.Sub("plain"), steps: 4).Run();
        using (var straight = Models.Create(temp))
            straight.Trainer(temp.Sub("straight"), steps: 4, noiseOffset: 0.2).Run();
        using (var interrupted = Models.Create(temp))
            interrupted.Trainer(temp.Sub("resumed"), steps: 3, noiseOffset: 0.2).Run();
        using (var resumed = Models.Create(temp))
            resumed.Trainer(temp.Sub("resumed"), steps: 4, noiseOffset: 0.2).Run();

        var plainLosses = TinyTraining.Losses(temp.Sub("plain"));
        var offsetLosses = TinyTraining.Losses(temp.Sub("straight"));
        Assert.Multiple(() =>
        {
            Assert.That(offsetLosses[0], Is.Not.EqualTo(plainLosses[0]), "the offset is part of the first step's noise");
            Assert.That(TinyTraining.Losses(temp.Sub("resumed")), Is.EqualTo(offsetLosses));
        });
    }

    [TestCase(-0.01)]
    [TestCase(1.01)]
    [TestCase(double.NaN)]
    public void AnOffsetOutsideZeroToOneIsRefusedByName(double offset)
    {
        using var temp = new TinyTraining.TempFolder();
        using var models = Models.Create(temp);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => models.Trainer(temp.Sub("unet"), steps: 1, noiseOffset: offset));
        Assert.That(e!.ParamName, Is.EqualTo(nameof(UnetTrainer.NoiseOffset)));
    }

    [Test]
    public void TheWeightAverageResumesBitForBitAndIsWhatTheRunHandsOn()
    {
        using var temp = new TinyTraining.TempFolder();
        float[] straightLast, straightAverage, resumedAverage;
        using (var straight = Models.Create(temp))
        {
            var trainer = straight.Trainer(temp.Sub("straight"), steps: 4, averageDecay: 0.5);
            trainer.Run();
            straightLast = straight.Weights();
            Assert.That(trainer.UseAveragedWeights(), Is.True);
            straightAverage = straight.Weights();
        }
        using (var interrupted = Models.Create(temp))
            interrupted.Trainer(temp.Sub("resumed"), steps: 3, averageDecay: 0.5).Run();
        using (var resumed = Models.Create(temp))
        {
            var trainer = resumed.Trainer(temp.Sub("resumed"), steps: 4, averageDecay: 0.5);
            trainer.Run();
            trainer.UseAveragedWeights();
            resumedAverage = resumed.Weights();
        }
        Assert.Multiple(() =>
        {
            Assert.That(resumedAverage, Is.EqualTo(straightAverage), "the average is saved with each checkpoint");
            Assert.That(straightAverage, Is.Not.EqualTo(straightLast), "the average lags the last step's weights");
        });
    }

    [Test]
    public void AnAverageTurnedOnPartWayStartsAtTheWeightsItResumesFrom()
    {
        using var temp = new TinyTraining.TempFolder();
        float[] atThree;
        using (var first = Models.Create(temp))
        {
            var plain = first.Trainer(temp.Sub("unet"), steps: 3);
            plain.Run();
            Assert.That(plain.UseAveragedWeights(), Is.False, "no average was asked for");
            atThree = first.Weights();
        }
        using var models = Models.Create(temp);
        var trainer = models.Trainer(temp.Sub("unet"), steps: 4, averageDecay: 0.75);
        trainer.Run();
        var atFour = models.Weights();
        trainer.UseAveragedWeights();
        var expected = atThree.Zip(atFour, (a, b) => 0.75f * a + 0.25f * b).ToArray();
        Assert.That(models.Weights(), Is.EqualTo(expected).Within(1e-5));
    }

    /// <summary>Freshly initialised tiny models (the same every time) and a trainer over them.</summary>
    private sealed class Models : IDisposable
    {
        private Models(ClipTokenizer tokenizer)
        {
            Tokenizer = tokenizer;
            using var g = new Generator(3);
            Vae.ResetParameters(g);
            Unet.ResetParameters(g);
            TextEncoder = new ClipTextModel(ClipTextConfig.FromJson(
                TinyTraining.Spec.TextEncoderConfigFor(tokenizer.Vocabulary.Count, tokenizer.StartOfTextId, tokenizer.EndOfTextId, 32)));
            TextEncoder.ResetParameters(g);
        }

        public AutoencoderKL Vae { get; } = new(AutoencoderKLConfig.FromJson(TinyTraining.Vae));
        public UNet2DConditionModel Unet { get; } = new(UNetConfig.FromJson(TinyTraining.Unet));
        public ClipTextModel TextEncoder { get; }
        public ClipTokenizer Tokenizer { get; }

        public static Models Create(TinyTraining.TempFolder temp)
        {
            string folder = temp.Sub("tokenizer");
            if (!File.Exists(Path.Combine(folder, "merges.txt")))
                VocabularyBuilder.Fit(Enumerable.Range(0, 200).Select(i => TinyTraining.Example(i).Caption), 200).Save(folder, 32);
            return new Models(ClipTokenizer.FromDiffusersFolder(folder));
        }

        public UnetTrainer Trainer(string folder, long steps, double noiseOffset = 0, double averageDecay = 0) => new(Unet, TextEncoder, Vae, Tokenizer,
            NoiseSchedule.FromConfig(SchedulerConfig.Parse(TinyTraining.Scheduler)), TinyTraining.Example, folder,
            new TrainingOptions { Steps = steps, BatchSize = 4, LearningRate = 1e-3, WarmupSteps = 3, CheckpointEvery = 3, AverageDecay = averageDecay })
        {
            NoiseOffset = noiseOffset,
        };

        /// <summary>Every trained weight (UNet, then text encoder), flattened.</summary>
        public float[] Weights() => Unet.NamedParameters("").Concat(TextEncoder.NamedParameters(""))
            .SelectMany(p => p.Value.data<float>()).ToArray();

        public void Dispose()
        {
            Vae.Dispose();
            Unet.Dispose();
            TextEncoder.Dispose();
        }
    }
}
