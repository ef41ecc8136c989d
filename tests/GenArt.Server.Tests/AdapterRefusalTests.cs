using GenArt.Api.V1;
using GenArt.Rpc;

namespace GenArt.Server.Tests;

/// <summary>
/// Uploads the server must refuse: names that try to leave the adapters folder or break the naming rule, files that are
/// not a LoRA for the base model, files over the size cap. Each refusal names the problem, and leaves no file (not
/// even a temporary one) and no record behind.
/// </summary>
[NonParallelizable]
public sealed class AdapterRefusalTests
{
    private const long Cap = 64 * 1024;
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(new ServerOptions { MaxAdapterBytes = Cap });

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private async Task<RpcException> RefusedLeavingNothing(string name, byte[] bytes, Action<AdapterUploadMetadata>? change = null)
    {
        var files = _server.StoredFiles();
        var e = await _server.RefusedUploadAsync(name, bytes, change: change);
        Assert.That(_server.StoredFiles(), Is.EqualTo(files), "no file was added, temporary or stored");
        Assert.That(await _server.Store().ListAsync("acme"), Is.Empty, "no record was added");
        Assert.That(e.StatusCode, Is.Not.EqualTo(StatusCode.Internal).And.Not.EqualTo(StatusCode.Unknown), e.Status.Detail);
        return e;
    }

    private static IEnumerable<TestCaseData> BadNames()
    {
        yield return new TestCaseData("../x", "'..'").SetName("Refuses_name_parent_dir");
        yield return new TestCaseData("../../keys.json", "'..'").SetName("Refuses_name_parent_path");
        yield return new TestCaseData("a/b", "path separator").SetName("Refuses_name_slash");
        yield return new TestCaseData("a\\b", "path separator").SetName("Refuses_name_backslash");
        yield return new TestCaseData(".hidden", "start with '.'").SetName("Refuses_name_leading_dot");
        yield return new TestCaseData("..", "'..'").SetName("Refuses_name_dotdot");
        yield return new TestCaseData("/etc/passwd", "path separator").SetName("Refuses_name_absolute");
        yield return new TestCaseData("c:x", "':'").SetName("Refuses_name_drive_colon");
        yield return new TestCaseData("nul\0byte", "U+0000").SetName("Refuses_name_nul");
        yield return new TestCaseData(new string('a', 65), "at most 64").SetName("Refuses_name_overlong");
        yield return new TestCaseData("", "required").SetName("Refuses_name_empty");
        yield return new TestCaseData("Upper", "'U'").SetName("Refuses_name_upper_case");
        yield return new TestCaseData("with space", "' '").SetName("Refuses_name_space");
        yield return new TestCaseData("-dash-first", "'-'").SetName("Refuses_name_leading_dash");
        yield return new TestCaseData("café", "U+00E9").SetName("Refuses_name_non_ascii");
    }

    [TestCaseSource(nameof(BadNames))]
    public async Task ANameOutsideTheRuleIsInvalidArgument(string name, string reason)
    {
        var e = await RefusedLeavingNothing(name, AdapterFiles.ValidKohya());
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.InvalidArgument), e.Status.Detail);
        Assert.That(e.Status.Detail, Does.StartWith("name:").And.Contain(reason));
    }

    [Test]
    public async Task SixtyFourCharactersIsTheLongestName()
    {
        string name = new('a', 64);
        var adapter = await _server.UploadAsync(name, AdapterFiles.ValidKohya());
        Assert.That(adapter.Name, Is.EqualTo(name));
        await _server.DeleteAsync(name);
        Assert.That(_server.AdapterFileNames(), Is.Empty);
    }

    private static IEnumerable<TestCaseData> MalformedFiles()
    {
        yield return new TestCaseData(AdapterFiles.WrongShape(), "shapes do not fit").SetName("Refuses_wrong_shapes");
        yield return new TestCaseData(AdapterFiles.MissingUp(), "without both").SetName("Refuses_layer_without_up_weight");
        yield return new TestCaseData(AdapterFiles.MissingTarget(), "does not have").SetName("Refuses_target_missing_from_model");
        yield return new TestCaseData(AdapterFiles.UnknownKey(), "no known LoRA layout").SetName("Refuses_unknown_key");
        yield return new TestCaseData(AdapterFiles.Truncated(), "not a valid safetensors file").SetName("Refuses_truncated_safetensors");
        yield return new TestCaseData(AdapterFiles.NotSafetensors(), "not a valid safetensors file").SetName("Refuses_corrupt_safetensors");
        yield return new TestCaseData(AdapterFiles.Pickle(), "pickle").SetName("Refuses_pickle");
        yield return new TestCaseData(AdapterFiles.TorchZip(), "pickle").SetName("Refuses_torch_zip");
    }

    [TestCaseSource(nameof(MalformedFiles))]
    public async Task AMalformedAdapterIsInvalidArgumentNamingTheProblem(byte[] bytes, string problem)
    {
        var e = await RefusedLeavingNothing("broken", bytes);
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.InvalidArgument), e.Status.Detail);
        Assert.That(e.Status.Detail, Does.StartWith("file: not a LoRA adapter for base model 'pipeline':").And.Contain(problem));
        Assert.That(e.Status.Detail, Does.Not.Contain(_server.DataDir), "the server's paths are not revealed");
    }

    [Test]
    public async Task TheMessageNamesTheKeysAtFault()
    {
        var e = await RefusedLeavingNothing("broken", AdapterFiles.WrongShape());
        Assert.That(e.Status.Detail, Does.Contain("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight"));
    }

    [Test]
    public async Task AFileOverTheCapIsResourceExhaustedNamingTheCap()
    {
        byte[] big = AdapterFiles.GoldenKohya;
        Assert.That(big.Length, Is.GreaterThan(Cap), "the golden file is larger than this server's cap");
        var e = await RefusedLeavingNothing("too-big", big);
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted), e.Status.Detail);
        Assert.That(e.Status.Detail, Does.Contain("64 KiB").And.Contain("65536 bytes"));
    }

    [Test]
    public async Task ADeclaredSizeOverTheCapIsRefusedBeforeAnyByte()
    {
        var e = await RefusedLeavingNothing("too-big", AdapterFiles.ValidKohya(), m => m.SizeBytes = Cap + 1);
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(e.Status.Detail, Does.StartWith("size_bytes:").And.Contain("64 KiB"));
    }

    [Test]
    public async Task AFileOfExactlyTheCapIsNotRefusedForSize()
    {
        // Not a safetensors file, so it is refused, but for its content: the cap itself is allowed.
        byte[] exact = [.. AdapterFiles.NotSafetensors(), .. new byte[Cap - AdapterFiles.NotSafetensors().Length]];
        Assert.That(exact.Length, Is.EqualTo(Cap));
        var e = await RefusedLeavingNothing("exact", exact);
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.InvalidArgument), e.Status.Detail);
    }

    [Test]
    public async Task AnUnknownBaseModelIsNotFoundNamingBaseModel()
    {
        var e = await RefusedLeavingNothing("orphan", AdapterFiles.ValidKohya(), m => m.BaseModel = "sdxl-1.0");
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(e.Status.Detail, Does.StartWith("base_model:").And.Contain("sdxl-1.0"));
    }

    [Test]
    public async Task AnEmptyBaseModelMeansTheServersDefault()
    {
        var adapter = await _server.UploadAsync("defaulted", AdapterFiles.ValidKohya(), baseModel: "");
        Assert.That(adapter.BaseModel, Is.EqualTo(TestServer.ModelName));
        await _server.DeleteAsync("defaulted");
    }

    [Test]
    public async Task MetadataMustComeFirstAndOnlyOnce()
    {
        var files = _server.StoredFiles();
        using var call = _server.Client.Channel.ClientStreaming(Cli.RemoteClient.UploadAdapter, _server.Options());
        await call.RequestStream.WriteAsync(new AdaptersUploadRequest { Chunk = Google.Protobuf.ByteString.CopyFrom(AdapterFiles.ValidKohya()) });
        await call.RequestStream.CompleteAsync();
        var e = Assert.ThrowsAsync<RpcException>(async () => await call);
        Assert.That(e!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(e.Status.Detail, Does.StartWith("metadata:"));

        using var twice = _server.Client.Channel.ClientStreaming(Cli.RemoteClient.UploadAdapter, _server.Options());
        var meta = new AdapterUploadMetadata { Name = "twice", BaseModel = TestServer.ModelName };
        await twice.RequestStream.WriteAsync(new AdaptersUploadRequest { Metadata = meta });
        await twice.RequestStream.WriteAsync(new AdaptersUploadRequest { Chunk = Google.Protobuf.ByteString.CopyFrom(1, 2, 3) });
        await twice.RequestStream.WriteAsync(new AdaptersUploadRequest { Metadata = meta });
        await twice.RequestStream.CompleteAsync();
        var e2 = Assert.ThrowsAsync<RpcException>(async () => await twice);
        Assert.That(e2!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(e2.Status.Detail, Does.StartWith("metadata:"));
        Assert.That(_server.StoredFiles(), Is.EqualTo(files));
        Assert.That(await _server.Store().ListAsync("acme"), Is.Empty);
    }

    [Test]
    public async Task AnUploadWithoutBytesOrOfAnotherFormatIsRefused()
    {
        var empty = await RefusedLeavingNothing("empty", []);
        Assert.That(empty.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(empty.Status.Detail, Does.StartWith("chunk:"));
        var tar = await RefusedLeavingNothing("tarred", AdapterFiles.ValidKohya(), m => m.Format = AdapterFormat.DiffusersTar);
        Assert.That(tar.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(tar.Status.Detail, Does.StartWith("format:"));
    }
}
