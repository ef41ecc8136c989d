using GenArt.Rpc.Tests.Infrastructure;

namespace GenArt.Rpc.Tests.Interop;

/// <summary>
/// The gRPC interop client cases (doc/interop-test-descriptions.md), run by @grpc/grpc-js
/// (interop/interop_client.js) against our Kestrel server. Each test asserts the node client's verdict.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NodeInteropTests
{
    /// <summary>The cases the brief requires.</summary>
    public static readonly string[] RequiredCases =
    {
        "empty_unary", "large_unary", "client_streaming", "server_streaming", "client_compressed_unary",
        "server_compressed_unary", "custom_metadata", "status_code_and_message", "special_status_message",
        "unimplemented_method", "unimplemented_service", "cancel_after_begin", "cancel_after_first_response",
        "timeout_on_sleeping_server",
    };

    /// <summary>Further cases of the same document.</summary>
    public static readonly string[] ExtraCases =
    {
        "ping_pong", "empty_stream", "server_compressed_streaming", "client_compressed_streaming",
    };

    private TestServer _server = null!;
    private string _caFile = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await TestServer.StartAsync();
        _caFile = _server.WriteCertificatePem();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        File.Delete(_caFile);
    }

    private async Task RunCase(string testCase, bool tls)
    {
        NodeRunner.RequireNodeModules();
        var args = new List<string>
        {
            "--server_host=127.0.0.1",
            $"--server_port={(tls ? _server.TlsPort : _server.H2cPort)}",
            $"--test_case={testCase}",
        };
        if (tls)
        {
            args.Add("--use_tls=true");
            args.Add($"--ca_file={_caFile}");
            args.Add("--server_host_override=localhost");
        }
        var result = await NodeRunner.RunAsync(Path.Combine(NodeRunner.InteropDir, "interop_client.js"), args, TimeSpan.FromSeconds(60));
        var detail = result.Verdict?.GetProperty("detail").GetString() ?? "(no verdict)";
        bool ok = result.Verdict?.GetProperty("ok").GetBoolean() ?? false;
        Assert.That(ok && result.ExitCode == 0, Is.True,
            $"grpc-js {testCase} ({(tls ? "TLS" : "h2c")}): {detail}\nexit {result.ExitCode}\nstdout: {result.Stdout}\nstderr: {result.Stderr}\n" +
            $"server log: {string.Join('\n', _server.Logs.Lines)}");
    }

    [TestCaseSource(nameof(RequiredCases))]
    public Task GrpcJs_H2c(string testCase) => RunCase(testCase, tls: false);

    [TestCaseSource(nameof(ExtraCases))]
    public Task GrpcJs_H2c_Extra(string testCase) => RunCase(testCase, tls: false);

    [TestCase("empty_unary")]
    [TestCase("large_unary")]
    [TestCase("ping_pong")]
    [TestCase("custom_metadata")]
    public Task GrpcJs_Tls(string testCase) => RunCase(testCase, tls: true);
}
