using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;
using static GenArt.Torch.Tests.Expect;

namespace GenArt.Torch.Tests;

public class ModuleTests
{
    private sealed class Block : Module
    {
        public Block()
        {
            Proj = Register("proj", new Linear(2, 3));
            Norm = Register("norm", new LayerNorm(3));
            Layers = Register("layers", new ModuleList<Linear>([new Linear(3, 3, bias: false), new Linear(3, 1)]));
        }

        public Linear Proj { get; }
        public LayerNorm Norm { get; }
        public ModuleList<Linear> Layers { get; }
    }

    [Test]
    public void NamesParametersLikeCheckpointKeys()
    {
        using var b = new Block();
        Assert.That(b.NamedParameters().Select(p => p.Key), Is.EqualTo(new[]
        {
            "proj.weight", "proj.bias", "norm.weight", "norm.bias", "layers.0.weight", "layers.1.weight", "layers.1.bias",
        }));
        Assert.That(b.ParameterCount(), Is.EqualTo(6 + 3 + 3 + 3 + 9 + 3 + 1));
    }

    [Test]
    public void LoadsBySafetensorsNameAndComputes()
    {
        string dir = Directory.CreateTempSubdirectory("genart-mod-").FullName;
        try
        {
            using var w = F([1, 0, 0, 1, 1, 1], 3, 2);
            using var bias = F([0, 0, 1]);
            string path = Path.Combine(dir, "lin.safetensors");
            SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["m.weight"] = w.to(ScalarType.Float16), ["m.bias"] = bias });
            using var lin = new Linear(2, 3);
            using var source = new SafeTensorsSource(path);
            lin.Load(source, prefix: "m.");
            Assert.That(lin.Weight.dtype, Is.EqualTo(ScalarType.Float32), "float16 weights are converted on load");
            using var x = F([2, 3], 1, 2);
            using var y = lin.forward(x);
            Values(y, [2, 3, 6]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void RefusesMissingMismatchedAndUnexpectedKeysBeforeLoadingAnything()
    {
        using var b = new Block();
        var good = b.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().fill_(0.5));
        try
        {
            var missing = new Dictionary<string, Tensor>(good);
            missing.Remove("layers.0.weight");
            var e = Assert.Throws<InvalidDataException>(() => b.Load(new DictionaryTensorSource(missing, "ckpt")));
            Assert.That(e!.Message, Is.EqualTo("ckpt: missing key 'layers.0.weight' (the model expects shape [3, 3])"));
            Assert.That(b.Parameters().All(p => p.sum().item<float>() != 0.5f * p.numel()), Is.True, "nothing was loaded");

            using var wrong = torch.zeros([3, 4]);
            var mismatched = new Dictionary<string, Tensor>(good) { ["layers.0.weight"] = wrong };
            e = Assert.Throws<InvalidDataException>(() => b.Load(new DictionaryTensorSource(mismatched, "ckpt")));
            Assert.That(e!.Message, Is.EqualTo("ckpt: key 'layers.0.weight' has shape [3, 4] but the model expects [3, 3]"));

            using var extraTensor = torch.zeros([1]);
            var extra = new Dictionary<string, Tensor>(good) { ["layers.2.weight"] = extraTensor };
            e = Assert.Throws<InvalidDataException>(() => b.Load(new DictionaryTensorSource(extra, "ckpt")));
            Assert.That(e!.Message, Does.Contain("layers.2.weight"));
            b.Load(new DictionaryTensorSource(extra, "ckpt"), strict: false);
            Assert.That(b.Proj.Weight.sum().item<float>(), Is.EqualTo(3f));
        }
        finally
        {
            foreach (var t in good.Values) t.Dispose();
        }
    }

    [Test]
    public void ConvertsAndResetsParameters()
    {
        using var b = new Block();
        using var g = new Generator(3);
        b.ResetParameters(g);
        Assert.That(b.Proj.Weight.abs().max().item<float>(), Is.GreaterThan(0).And.LessThanOrEqualTo((float)(1 / Math.Sqrt(2))));
        b.To(Device.CPU, ScalarType.BFloat16);
        Assert.That(b.Parameters().Select(p => p.dtype), Has.All.EqualTo(ScalarType.BFloat16));
        b.RequiresGrad(true);
        Assert.That(b.Parameters().All(p => p.requires_grad), Is.True);
    }

    [Test]
    public void OutputHooksSeeLinearAndConvOutputsOnTheirThreadOnly()
    {
        using var linear = new Linear(2, 3);
        using var conv = new Conv2d(1, 1, 1);
        using var x = F([1, 2], 1, 2);
        using var image = F([1, 2, 3, 4], 1, 1, 2, 2);
        using var plain = linear.forward(x);
        var hook = new AddOne();
        using (LayerOutputHooks.Use(hook))
        {
            using var hooked = linear.forward(x);
            using var expected = plain.add(1.0);
            Assert.That(hooked.equal(expected), Is.True);
            using var convHooked = conv.forward(image);
            Values(convHooked, [1, 1, 1, 1]); // zero weights: only the hook's +1
            Assert.That(hook.Layers, Is.EqualTo(new Module[] { linear, conv }));
            using (LayerOutputHooks.Use(null)) Assert.That(LayerOutputHooks.Current, Is.Null);
            Assert.That(LayerOutputHooks.Current, Is.SameAs(hook), "scopes nest");
            ILayerOutputHook? elsewhere = hook;
            var other = new Thread(() => elsewhere = LayerOutputHooks.Current);
            other.Start();
            other.Join();
            Assert.That(elsewhere, Is.Null, "another thread has no hook");
        }
        Assert.That(LayerOutputHooks.Current, Is.Null);
        using var after = linear.forward(x);
        Assert.That(after.equal(plain), Is.True);
    }

    private sealed class AddOne : ILayerOutputHook
    {
        public List<Module> Layers { get; } = [];

        public Tensor Apply(Module layer, Tensor input, Tensor output)
        {
            Layers.Add(layer);
            return output.add_(1.0);
        }
    }

    [Test]
    public void SingleThreadedBlasScopesRestoreTheThreadCount()
    {
        // Debian's libtorch runs CPU matmuls on OpenBLAS (docs/torch.md); the build machine has it
        Assert.That(BlasThreads.IsAvailable, Is.True, "libopenblas.so.0 is loaded with libtorch");
        int before = BlasThreads.Count;
        using (BlasThreads.SingleThreaded())
        {
            Assert.That(BlasThreads.Count, Is.EqualTo(1));
            using var a = torch.ones([64, 64]);
            using var p = a.matmul(a);
            using var first = p.select(0, 0).select(0, 0);
            Assert.That(first.item<float>(), Is.EqualTo(64f));
        }
        Assert.That(BlasThreads.Count, Is.EqualTo(before));
    }
}
