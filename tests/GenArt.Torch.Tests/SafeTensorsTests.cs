using System.Buffers.Binary;
using System.Text;
using GenArt.Torch.SafeTensors;

namespace GenArt.Torch.Tests;

public class SafeTensorsTests
{
    private string dir = "";

    [SetUp]
    public void SetUp() => dir = Directory.CreateTempSubdirectory("genart-st-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(dir, recursive: true);

    private static readonly ScalarType[] AllTypes =
        [ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64, ScalarType.Int32, ScalarType.Byte, ScalarType.Bool];

    [TestCaseSource(nameof(AllTypes))]
    public void RoundTripsEveryDtype(ScalarType type)
    {
        using var g = new Generator(5);
        using var source = (torch.rand([3, 5], g) * 100.0).to(type);
        using var scalar = torch.scalar_tensor(1, type);
        string path = Path.Combine(dir, "a.safetensors");
        SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["w"] = source, ["s"] = scalar });

        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Names, Is.EquivalentTo(new[] { "w", "s" }));
        var info = file.Info("w");
        Assert.That(info.DType, Is.EqualTo(type));
        Assert.That(info.Shape, Is.EqualTo(new long[] { 3, 5 }));
        using var back = file.Load("w");
        Assert.That(back.equal(source), Is.True);
        using var again = file.Load("w");
        Assert.That(again.equal(source), Is.True, "a tensor reads the same after its pages were released");
        Assert.That(back.bytes(), Is.EqualTo(source.bytes()));
        Assert.That(file.Info("s").Shape, Is.Empty);
        using var s = file.Load("s", dtype: ScalarType.Float32);
        Assert.That(s.item<float>(), Is.EqualTo(1f));
    }

    [Test]
    public void WritesAndReadsMetadataAndAlignsTheHeader()
    {
        string path = Path.Combine(dir, "m.safetensors");
        using var t = torch.ones([2], ScalarType.Float16);
        using var l = torch.ones([1], ScalarType.Int64);
        SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["half"] = t, ["long"] = l },
            new Dictionary<string, string> { ["format"] = "pt", ["note"] = "café ☕" });
        var bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That(n % 8, Is.EqualTo(0));
        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Metadata["note"], Is.EqualTo("café ☕"));
        Assert.That(file.Info("long").Begin, Is.EqualTo(0), "8-byte elements are laid out first");
        Assert.That(file.Info("half").Begin, Is.EqualTo(8));
    }

    [Test]
    public void LoadConvertsTypeOnLoad()
    {
        string path = Path.Combine(dir, "h.safetensors");
        using var t = torch.tensor(new[] { 0.5f, -1.25f }).to(ScalarType.Float16);
        SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["x"] = t });
        using var file = SafeTensorsFile.Open(path);
        using var f = file.Load("x", dtype: ScalarType.Float32);
        Assert.That(f.data<float>(), Is.EqualTo(new[] { 0.5f, -1.25f }));
        Assert.Throws<KeyNotFoundException>(() => file.Load("y"));
    }

    private static byte[] Build(string header, int dataBytes, ulong? declared = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    public static IEnumerable<TestCaseData> Malformed()
    {
        TestCaseData Case(string name, byte[] bytes, string rule) => new TestCaseData(bytes, rule).SetName($"Refuses_{name}");
        const string ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        yield return Case("TooSmall", [1, 2, 3], "file-too-small");
        yield return Case("HeaderOver100MB", Build(ok, 8, 100_000_001), "header-too-large");
        yield return Case("HeaderPastEndOfFile", Build(ok, 8, 10_000), "header-out-of-bounds");
        var badUtf8 = Build(ok, 8);
        badUtf8[10] = 0xFF;
        yield return Case("InvalidUtf8", badUtf8, "header-not-utf8");
        yield return Case("NotJson", Build("{\"a\": [1, 2", 8), "header-not-json");
        yield return Case("NotAnObject", Build("[1, 2, 3]", 0), "header-not-object");
        yield return Case("UnknownDtype", Build("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8), "unknown-dtype");
        yield return Case("SizeMismatch", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "size-mismatch");
        yield return Case("Gap", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "offsets-not-contiguous");
        yield return Case("Overlap", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "offsets-not-contiguous");
        yield return Case("DataPastEnd", Build(ok, 4), "data-length-mismatch");
        yield return Case("TrailingData", Build(ok, 12), "data-length-mismatch");
        yield return Case("Duplicate", Build("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), "duplicate-name");
        yield return Case("ShapeOverflow", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8), "size-overflow");
        yield return Case("NegativeDim", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "tensor-entry-invalid");
        yield return Case("EndBeforeBegin", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8), "offsets-invalid");
        yield return Case("MissingOffsets", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "tensor-entry-invalid");
        yield return Case("MetadataNotStrings", Build("{\"__metadata__\":{\"k\":1}}", 0), "metadata-not-string");
    }

    [TestCaseSource(nameof(Malformed))]
    public void RefusesMalformedFilesNamingTheFileAndTheRule(byte[] bytes, string rule)
    {
        string path = Path.Combine(dir, "bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.That(e!.Rule, Is.EqualTo(rule));
        Assert.That(e.Message, Does.StartWith(path + ": " + rule + ": "));
    }

    [Test]
    public void ReadsTheReferenceTextEncoderGolden()
    {
        using var file = SafeTensorsFile.Open(TestPaths.Golden("text_encoder/text_encoder_io.safetensors"));
        Assert.That(file.Info("input_ids").DType, Is.EqualTo(ScalarType.Int64));
        Assert.That(file.Info("hidden_states").Shape, Is.EqualTo(new long[] { 4, 2, 77, 32 }));
        using var ids = file.Load("input_ids");
        var first = ids.data<long>();
        Assert.That(first[0], Is.EqualTo(49406), "CLIP's start token");
        Assert.That(first[76], Is.EqualTo(49407), "SD 1.x pads with the end token");
        // The last layer's output, before the final LayerNorm, equals hidden_states[3]: both were written
        // by the reference run, so this checks that offsets map each name to its own bytes.
        using var hs = file.Load("hidden_states");
        using var penultimate = file.Load("penultimate_hidden_state");
        using var h2 = hs.select(0, 2);
        Assert.That(h2.equal(penultimate), Is.True);
    }

    [Test]
    public void ReadsTheReferenceImageGoldenAcrossDtypes()
    {
        using var file = SafeTensorsFile.Open(TestPaths.Golden("txt2img/txt2img.safetensors"));
        using var u8 = file.Load("image_uint8_hwc");
        using var f = file.Load("image_float_nhwc");
        Assert.That(u8.dtype, Is.EqualTo(ScalarType.Byte));
        Assert.That(u8.shape, Is.EqualTo(new long[] { 128, 128, 3 }));
        // The reference pipeline rounds image * 255 to uint8.
        using var rounded = (f.select(0, 0) * 255.0).round().to(ScalarType.Byte);
        Assert.That(rounded.equal(u8), Is.True);
    }

    [Test]
    public void SeededNoiseMatchesPyTorchsGenerator()
    {
        // txt2img's init_latents are torch.randn((1, 4, 16, 16), generator=torch.Generator().manual_seed(19)).
        using var file = SafeTensorsFile.Open(TestPaths.Golden("txt2img/txt2img.safetensors"));
        using var expected = file.Load("init_latents");
        using var g = new Generator(19);
        using var noise = torch.randn([1, 4, 16, 16], g);
        Assert.That(noise.equal(expected), Is.True);

        // The scheduler goldens start from torch.randn((1, 4, 8, 8)) with seed 16 (init_noise_sigma is 1 for DDIM).
        using var sched = SafeTensorsFile.Open(TestPaths.Golden("schedulers/ddim_7.safetensors"));
        using var samples = sched.Load("samples");
        using var first = samples.select(0, 0);
        using var g16 = new Generator(16);
        using var noise16 = torch.randn([1, 4, 8, 8], g16);
        Assert.That(noise16.equal(first), Is.True);
    }
}
