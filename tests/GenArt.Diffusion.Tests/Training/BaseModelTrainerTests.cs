using System.Text.Json;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Training;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Training;

public sealed class BaseModelTrainerTests
{
    [Test]
    public void ARunTrainsEveryStageExportsALoadableModelAndResumesWithNothingLeft()
    {
        torch.set_num_threads(1);
        using var temp = new TinyTraining.TempFolder();
        var trainer = new BaseModelTrainer(temp.Sub("checkpoints"), TinyTraining.Spec, TinyTraining.Example)
        {
            VaeOptions = new TrainingOptions { Steps = 6, BatchSize = 2, CheckpointEvery = 3, WarmupSteps = 2 },
            UnetOptions = new TrainingOptions { Steps = 6, BatchSize = 2, CheckpointEvery = 3, WarmupSteps = 2 },
            TokenizerCorpusSize = 200,
            TokenizerMerges = 200,
            ScalingSamples = 16,
        };
        string output = temp.Sub("model");
        trainer.Run(output);

        using var vaeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "vae", "config.json")));
        double scaling = vaeConfig.RootElement.GetProperty("scaling_factor").GetDouble();
        using (var model = StableDiffusionModel.Load(output))
        {
            var result = new StableDiffusionPipeline(model).Generate(new GenerationSettings { Steps = 3, Scheduler = "ddim", Width = TinyTraining.ImageSize, Height = TinyTraining.ImageSize },
                [new SampleRequest { Prompt = "a red circle on a blue background", Seed = 5 }]);
            Assert.Multiple(() =>
            {
                Assert.That(result[0].Image, Is.Not.Null);
                Assert.That(result[0].Image!.Width, Is.EqualTo(TinyTraining.ImageSize));
                Assert.That(model.Tokenizer.Options.MaxLength, Is.EqualTo(32));
                Assert.That(model.Vae.ScalingFactor, Is.EqualTo(scaling));
            });
        }
        Assert.Multiple(() =>
        {
            Assert.That(scaling, Is.GreaterThan(0).And.Not.EqualTo(0.18215));
            Assert.That(TrainingPhase.LatestStep(temp.Sub("checkpoints/vae")), Is.EqualTo(6));
            Assert.That(TrainingPhase.LatestStep(temp.Sub("checkpoints/unet")), Is.EqualTo(6));
            Assert.That(File.Exists(Path.Combine(output, "tokenizer", "merges.txt")));
        });

        var before = File.ReadAllBytes(Path.Combine(output, "unet", "diffusion_pytorch_model.safetensors"));
        trainer.Run(output);
        Assert.That(File.ReadAllBytes(Path.Combine(output, "unet", "diffusion_pytorch_model.safetensors")), Is.EqualTo(before),
            "a finished run resumed exports the same weights");
    }

    [Test]
    public void ADecoderPhaseChangesOnlyTheExportedDecoderAndResumes()
    {
        torch.set_num_threads(1);
        using var temp = new TinyTraining.TempFolder();
        BaseModelTrainer Trainer(long decoderSteps) => new(temp.Sub("checkpoints"), TinyTraining.Spec, TinyTraining.Example)
        {
            VaeOptions = new TrainingOptions { Steps = 4, BatchSize = 2, CheckpointEvery = 2, WarmupSteps = 1 },
            VaeDecoderOptions = new TrainingOptions { Steps = decoderSteps, BatchSize = 2, CheckpointEvery = 2, WarmupSteps = 1, LearningRate = 1e-3 },
            UnetOptions = new TrainingOptions { Steps = 2, BatchSize = 2, CheckpointEvery = 2, WarmupSteps = 1 },
            TokenizerCorpusSize = 200,
            TokenizerMerges = 200,
            ScalingSamples = 8,
        };
        Trainer(decoderSteps: 2).Run(temp.Sub("model"));
        Assert.That(TrainingPhase.LatestStep(temp.Sub("checkpoints/vae-decoder")), Is.EqualTo(2));
        Trainer(decoderSteps: 4).Run(temp.Sub("model"));

        using var final = SafeTensorsFile.Open(Path.Combine(temp.Sub("checkpoints"), "vae-final", "diffusion_pytorch_model.safetensors"));
        using var exported = SafeTensorsFile.Open(Path.Combine(temp.Sub("model"), "vae", "diffusion_pytorch_model.safetensors"));
        var changed = new List<string>();
        foreach (var name in final.Names)
        {
            using var a = final.Load(name);
            using var b = exported.Load(name);
            if (!a.data<float>().ToArray().SequenceEqual(b.data<float>().ToArray())) changed.Add(name);
        }
        Assert.Multiple(() =>
        {
            Assert.That(TrainingPhase.LatestStep(temp.Sub("checkpoints/vae-decoder")), Is.EqualTo(4));
            Assert.That(changed, Is.Not.Empty, "the exported decoder is the fine-tuned one");
            Assert.That(changed, Has.All.StartWith("decoder.").Or.StartWith("post_quant_conv."), "the encoder, and so the latents, are vae-final's");
        });
    }
}
