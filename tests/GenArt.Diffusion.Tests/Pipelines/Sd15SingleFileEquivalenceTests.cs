using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Tests.Loading;
using GenArt.Diffusion.Tests.Models;
using GenArt.Torch;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Pipelines;

/// <summary>
/// Real size: the exact SD 1.5 text encoder, UNet and VAE with random weights, written by the test once as a
/// diffusers folder and once as an original-layout single file (float16 on disk), loaded back through both
/// loaders, and run at 256x256: both give the same, finite outputs of the right shapes.
/// </summary>
public class Sd15SingleFileEquivalenceTests
{
    private string dir = "";

    [SetUp]
    public void SetUp() => dir = Directory.CreateTempSubdirectory("genart-sd15-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(dir, recursive: true);

    [Test]
    public void DiffusersFolderAndSingleFileLoadTheSameModel()
    {
        string folder = Path.Combine(dir, "sd15");
        string single = Path.Combine(dir, "sd15.safetensors");
        WriteBothLayouts(folder, single);

        var fromFolder = Run(folder);
        var fromSingle = Run(single);
        try
        {
            Assert.That(fromFolder["text"].shape, Is.EqualTo(new long[] { 1, 77, 768 }));
            Assert.That(fromFolder["unet"].shape, Is.EqualTo(new long[] { 1, 4, 32, 32 }));
            Assert.That(fromFolder["vae"].shape, Is.EqualTo(new long[] { 1, 3, 256, 256 }));
            foreach (var (name, t) in fromFolder)
            {
                Assert.That(t.isfinite().logical_not().sum().item<long>(), Is.EqualTo(0), $"{name} is finite");
                Assert.That(fromSingle[name].equal(t), Is.True, $"{name}: the single-file load gives the diffusers-folder load's output");
            }
        }
        finally
        {
            foreach (var t in fromFolder.Values.Concat(fromSingle.Values)) t.Dispose();
        }
    }

    /// <summary>Random SD 1.5 weights, saved under diffusers names in a folder and under LDM names in one file.</summary>
    private static void WriteBothLayouts(string folder, string single)
    {
        var shapes = LdmShapes.Unet([320, 640, 1280, 1280], [true, true, true, false], 2, 768, linear: false)
            .Concat(LdmShapes.Vae([128, 256, 512, 512], 2))
            .Concat(LdmShapes.ClipText(768, 12, 3072))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        using var layout = StableDiffusionCheckpoint.OpenSingleFile(new LdmShapes.ShapeOnlySource(shapes), "sd15.safetensors",
            new CheckpointOptions { TokenizerPath = LoadingFixtures.Vocab });

        using var g = new Generator(15);
        using var text = new ClipTextModel(ClipTextConfig.StableDiffusion1);
        using var unet = new UNet2DConditionModel(UNetConfig.FromJson(layout.Unet.ConfigJson));
        using var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(layout.Vae.ConfigJson));
        foreach (Module m in new Module[] { text, unet, vae }) m.ResetParameters(g);

        string tokenizer = ModelFixtures.Golden("pipeline/tokenizer");
        DiffusersFolderWriter.Save(folder, new(layout.Unet.ConfigJson, unet), new(layout.Vae.ConfigJson, vae),
            new(ClipTextConfig.StableDiffusion1.ToJson(), text), tokenizer, layout.SchedulerConfigJson, ScalarType.Float16);

        // The single file: every diffusers tensor under its original name and shape (VAE attention as 1x1 convs).
        var ldm = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (component, model) in new (ModelComponent, Module)[] { (layout.Unet, unet), (layout.Vae, vae), (layout.TextEncoder!, text) })
            {
                var mapped = (MappedTensorSource)component.Weights;
                foreach (var (name, t) in model.NamedParameters())
                {
                    var mapping = mapped.Mappings[name];
                    Assert.That(mapping.ChunkCount, Is.EqualTo(1), "SD 1.x maps tensors one to one");
                    ldm[mapping.SourceKey] = t.to(ScalarType.Float16).reshape(shapes[mapping.SourceKey]).DetachFromDisposeScope();
                }
            }
            SafeTensorsWriter.Save(single, ldm);
        }
        finally
        {
            foreach (var t in ldm.Values) t.Dispose();
        }
        Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(single)!, "tokenizer"));
        foreach (var f in Directory.GetFiles(tokenizer)) File.Copy(f, Path.Combine(Path.GetDirectoryName(single)!, "tokenizer", Path.GetFileName(f)));
    }

    private static Dictionary<string, Tensor> Run(string path)
    {
        using var model = StableDiffusionModel.Load(path);
        using var inference = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(model.Tokenizer.Tokenize("a red circle on a blue background").Ids.Select(i => (long)i).ToArray(), 1, 77);
        var context = model.TextEncoder.Encode(ids);
        using var g = new Generator(3);
        var latents = torch.randn([1, 4, 32, 32], g);
        var noise = model.Unet.forward(latents, torch.scalar_tensor(500), context);
        var image = model.Vae.Decode(latents);
        return new Dictionary<string, Tensor>
        {
            ["text"] = context.DetachFromDisposeScope(),
            ["unet"] = noise.DetachFromDisposeScope(),
            ["vae"] = image.DetachFromDisposeScope(),
        };
    }
}
