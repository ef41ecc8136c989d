using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Pipelines;

namespace GenArt.Diffusion.Tests.Loading;

public sealed class GenerationDefaultsTests
{
    [Test]
    public void EveryKeyIsReadAndSchedulerDisplayNamesBecomeIds()
    {
        var d = GenerationDefaults.Parse("""{"scheduler": "Euler a", "num_inference_steps": 30, "guidance_scale": 3}""");
        Assert.That(d, Is.EqualTo(new GenerationDefaults("euler-a", 30, 3.0)));
    }

    [Test]
    public void KeysLeftOutKeepTheStandardSettings()
    {
        Assert.That(GenerationDefaults.Standard, Is.EqualTo(new GenerationDefaults("dpmpp-2m-karras", 20, 7.5)));
        Assert.That(GenerationDefaults.Parse("""{"guidance_scale": 2.5}"""), Is.EqualTo(GenerationDefaults.Standard with { GuidanceScale = 2.5 }));
        Assert.That(GenerationDefaults.Parse("{}"), Is.EqualTo(GenerationDefaults.Standard));
    }

    [TestCase("""{"num_inference_steps": 0}""", "\"num_inference_steps\" must be a whole number from 1 to 200")]
    [TestCase("""{"num_inference_steps": 201}""", "\"num_inference_steps\"")]
    [TestCase("""{"num_inference_steps": 2.5}""", "\"num_inference_steps\"")]
    [TestCase("""{"num_inference_steps": "20"}""", "\"num_inference_steps\"")]
    [TestCase("""{"guidance_scale": -1}""", "\"guidance_scale\" must be a number from 0 to 50")]
    [TestCase("""{"guidance_scale": 51}""", "\"guidance_scale\"")]
    [TestCase("""{"guidance_scale": "high"}""", "\"guidance_scale\"")]
    [TestCase("""{"scheduler": "heun"}""", "\"scheduler\" must be one of ddim, pndm")]
    [TestCase("""{"scheduler": 3}""", "\"scheduler\"")]
    [TestCase("""[7.5]""", "must be a JSON object")]
    [TestCase("""{"guidance_scale": """, "invalid JSON")]
    public void AValueNoRequestCouldUseIsRefusedNamingTheFileAndKey(string json, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => GenerationDefaults.Parse(json, "m/generation_config.json"));
        Assert.That(e!.Message, Does.StartWith("m/generation_config.json: ").And.Contain(message));
    }

    [Test]
    public void AModelFolderCarriesItsDefaultsAndOneWithoutTheFileGetsTheStandardOnes()
    {
        string folder = Directory.CreateTempSubdirectory("genart-defaults-").FullName;
        try
        {
            RepoPaths.LinkEntries(LoadingFixtures.Pipeline, folder);
            Assert.That(GenerationDefaults.Read(folder), Is.EqualTo(GenerationDefaults.Standard));
            using (var plain = StableDiffusionModel.Load(folder))
                Assert.That(plain.Defaults, Is.EqualTo(GenerationDefaults.Standard));

            File.WriteAllText(Path.Combine(folder, GenerationDefaults.FileName), """{"scheduler": "ddim", "guidance_scale": 3.0}""");
            using (var tuned = StableDiffusionModel.Load(folder))
                Assert.That(tuned.Defaults, Is.EqualTo(new GenerationDefaults("ddim", 20, 3.0)));

            File.WriteAllText(Path.Combine(folder, GenerationDefaults.FileName), """{"guidance_scale": -3}""");
            var e = Assert.Throws<InvalidDataException>(() => StableDiffusionModel.Load(folder));
            Assert.That(e!.Message, Does.Contain(GenerationDefaults.FileName).And.Contain("guidance_scale"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
