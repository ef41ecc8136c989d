using static GenArt.Torch.Tests.Expect;

namespace GenArt.Torch.Tests;

public class CreationTests
{
    [Test]
    public void RoundTripsEveryDtypeThroughManagedSpans()
    {
        using (var t = torch.tensor(new float[] { 1.5f, -2, 3 })) Assert.That(t.data<float>(), Is.EqualTo(new[] { 1.5f, -2, 3 }));
        using (var t = torch.tensor(new long[] { long.MaxValue, -1 })) Assert.That(t.data<long>(), Is.EqualTo(new[] { long.MaxValue, -1 }));
        using (var t = torch.tensor(new int[] { 7, -9 })) Assert.That(t.data<int>(), Is.EqualTo(new[] { 7, -9 }));
        using (var t = torch.tensor(new byte[] { 0, 255 })) Assert.That(t.data<byte>(), Is.EqualTo(new byte[] { 0, 255 }));
        using (var t = torch.tensor(new bool[] { true, false })) Assert.That(t.data<bool>(), Is.EqualTo(new[] { true, false }));
        using (var t = torch.tensor(new Half[] { (Half)0.5, (Half)(-4) })) Assert.That(t.data<Half>(), Is.EqualTo(new[] { (Half)0.5, (Half)(-4) }));
    }

    [Test]
    public void ConvertsBetweenFloatTypes()
    {
        using var t = F([1f, 2.5f, -3.25f]);
        using var h = t.to(torch.float16);
        using var b = t.to(torch.bfloat16);
        Assert.That(h.dtype, Is.EqualTo(ScalarType.Float16));
        Assert.That(b.dtype, Is.EqualTo(ScalarType.BFloat16));
        // bfloat16 keeps 8 mantissa bits: these values are exact in it; raw bytes are the top half of float32's.
        Values(b, [1f, 2.5f, -3.25f]);
        var raw = b.bytes();
        Assert.That(BitConverter.ToUInt16(raw, 0), Is.EqualTo((ushort)(BitConverter.SingleToUInt32Bits(1f) >> 16)));
        using var back = torch.from_bytes(raw, [3], ScalarType.BFloat16);
        Values(back, [1f, 2.5f, -3.25f]);
    }

    [Test]
    public void RejectsDataWhoseLengthDoesNotMatchTheShape()
    {
        var e = Assert.Throws<TorchException>(() => torch.tensor<float>(new float[5].AsSpan(), [2, 3]));
        Assert.That(e!.Op, Is.EqualTo("from_data"));
        Assert.That(e.Message, Does.Contain("20 bytes").And.Contain("24"));
    }

    [Test]
    public void FactoriesFillAsAsked()
    {
        using var z = torch.zeros([2, 3]);
        using var o = torch.ones([4], torch.int64);
        using var f = torch.full([2], 7.5);
        using var a = torch.arange(0, 5, 2, torch.float32);
        using var l = torch.linspace(0, 1, 5);
        Shape(z, 2, 3);
        Assert.That(z.sum().item<float>(), Is.EqualTo(0));
        Assert.That(o.data<long>(), Is.EqualTo(new long[] { 1, 1, 1, 1 }));
        Values(f, [7.5f, 7.5f]);
        Values(a, [0, 2, 4]);
        Values(l, [0, 0.25f, 0.5f, 0.75f, 1]);
        using var idx = torch.arange(3);
        Assert.That(idx.dtype, Is.EqualTo(ScalarType.Int64));
    }

    [Test]
    public void ReportsShapeDtypeDeviceAndStride()
    {
        using var t = torch.zeros([2, 3, 4]);
        Assert.Multiple(() =>
        {
            Assert.That(t.ndim, Is.EqualTo(3));
            Assert.That(t.numel(), Is.EqualTo(24));
            Assert.That(t.size(-1), Is.EqualTo(4));
            Assert.That(t.stride(), Is.EqualTo(new long[] { 12, 4, 1 }));
            Assert.That(t.dtype, Is.EqualTo(ScalarType.Float32));
            Assert.That(t.device, Is.EqualTo(Device.CPU));
            Assert.That(t.ToString(), Is.EqualTo("Tensor([2, 3, 4], Float32, cpu)"));
        });
    }

    [Test]
    public void CudaIsRefusedClearlyWhenThisLibtorchHasNone()
    {
        if (torch.cuda.is_available())
        {
            using var t = torch.ones([2], device: Device.CUDA());
            Assert.That(t.device.Type, Is.EqualTo(DeviceType.CUDA));
            return;
        }
        var e = Assert.Throws<TorchException>(() => torch.ones([2], device: Device.CUDA()));
        Assert.That(e!.Message, Does.Contain("cuda:0").And.Contain("no CUDA"));
        Assert.Throws<TorchException>(() => Device.Parse("cuda:1"));
        Assert.That(Device.Parse(" CPU "), Is.EqualTo(Device.CPU));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
    }

    [Test]
    public void SeededGeneratorsRepeatAndDiffer()
    {
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using var g3 = new Generator(43);
        using var a = torch.randn([1000], g1);
        using var b = torch.randn([1000], g2);
        using var c = torch.randn([1000], g3);
        Assert.That(a.equal(b), Is.True);
        Assert.That(a.equal(c), Is.False);
        Assert.That(a.mean().item<float>(), Is.EqualTo(0).Within(0.1));
        Assert.That(a.std().item<float>(), Is.EqualTo(1).Within(0.1));
        g1.manual_seed(42);
        using var again = torch.randn([1000], g1);
        Assert.That(again.equal(a), Is.True);
        using var u = torch.rand([1000], g3);
        Assert.That(u.min().item<float>(), Is.GreaterThanOrEqualTo(0));
        Assert.That(u.max().item<float>(), Is.LessThan(1));
        using var r = torch.randint(3, 7, [500], g3);
        Assert.That(r.data<long>(), Has.All.InRange(3L, 6L));
    }

    [Test]
    public void ThreadCountCanBeSetAndRead()
    {
        int before = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            Assert.That(torch.get_num_threads(), Is.EqualTo(1));
            Assert.That(BlasThreads.Count, Is.EqualTo(1), "OpenBLAS's pool follows: one thread means one thread");
            torch.set_num_threads(2);
            Assert.That(BlasThreads.Count, Is.EqualTo(2));
            Assert.Throws<TorchException>(() => torch.set_num_threads(0));
            Assert.That(BlasThreads.Count, Is.EqualTo(2), "a refused count changes nothing");
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }
}
