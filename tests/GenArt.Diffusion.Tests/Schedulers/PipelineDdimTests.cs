using GenArt.Diffusion.Schedulers;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>
/// DDIM inside diffusers' real StableDiffusionPipeline (golden README case 7): built from the tiny model's
/// scheduler_config.json file, each step must turn the guided noise prediction into the pipeline's next latents.
/// </summary>
[TestFixture]
public sealed class PipelineDdimTests
{
    [Test]
    public void DdimStepsReproduceTheTxt2ImgPipelineLatents()
    {
        string config = Path.Combine(SchedulerGolden.Directory, "pipeline_scheduler_config.json");
        string txt2img = Path.Combine(SchedulerGolden.Directory, "..", "txt2img", "txt2img.safetensors");
        using var golden = SafeTensorsFile.Open(txt2img);
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create("DDIM", SchedulerConfig.Load(config));
        scheduler.SetTimesteps(10);
        Assert.That(scheduler.IntegerTimesteps, Is.EqualTo(golden.Load("timesteps").data<long>()));
        Assert.That(scheduler.InitNoiseSigma, Is.EqualTo(1.0));

        var guided = golden.Load("noise_pred_guided");
        var after = golden.Load("latents_after_step");
        var unetInputs = golden.Load("unet_inputs");
        var latents = golden.Load("init_latents");
        for (int i = 0; i < scheduler.StepCount; i++)
        {
            var xIn = scheduler.ScaleModelInput(latents, i);
            Assert.That(xIn.equal(unetInputs.select(0, i).select(0, 0).unsqueeze(0)), Is.True, $"unet input {i}");
            var prev = scheduler.Step(guided.select(0, i).unsqueeze(0), i, latents).PrevSample;
            Close.Check(prev, after.select(0, i), 1e-5, $"latents_after_step[{i}]");
            // The next step starts from the pipeline's own latents, so each step is checked on its own.
            latents = after.select(0, i);
        }
    }
}
