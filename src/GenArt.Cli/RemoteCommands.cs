using System.CommandLine;
using GenArt.Api.V1;
using GenArt.Rpc;
using Spectre.Console;

namespace GenArt.Cli;

/// <summary><c>genart models</c> and <c>genart jobs watch|cancel|get</c> against a server.</summary>
internal static class RemoteCommands
{
    internal static Option<string> ServerOption() => new("--server") { Description = "host:port of a genart server", DefaultValueFactory = _ => "127.0.0.1:50051" };
    internal static Option<string?> KeyOption() => new("--api-key") { Description = "API key (default: $GENART_API_KEY)" };

    public static Command Models()
    {
        var server = ServerOption();
        var key = KeyOption();
        var command = new Command("models", "list the models a server offers");
        command.Options.Add(server);
        command.Options.Add(key);
        command.SetAction((r, ct) => Run(r.GetValue(server)!, r.GetValue(key), async client =>
        {
            var models = await client.Channel.UnaryAsync(RemoteClient.ListModels, new ListModelsRequest(), client.Options(ct));
            var table = new Table().AddColumns("name", "family", "size", "steps", "scheduler", "loaded");
            foreach (var m in models.Models)
                table.AddRow(m.Name, m.Family, $"{m.DefaultWidth}x{m.DefaultHeight}", m.DefaultSteps.ToString(), m.DefaultScheduler, m.Loaded ? "yes" : "no");
            AnsiConsole.Write(table);
        }));
        return command;
    }

    public static Command Jobs()
    {
        var jobs = new Command("jobs", "follow, inspect or cancel jobs on a server");
        jobs.Subcommands.Add(JobCommand("watch", "stream a job's events from a sequence number on", true, async (client, id, after, ct) =>
        {
            using var call = client.Channel.ServerStreaming(RemoteClient.Watch, new WatchJobRequest { JobId = id, AfterSequence = after }, client.Options(ct));
            await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
                Console.WriteLine(e.EventCase switch
                {
                    JobEvent.EventOneofCase.Accepted => $"{e.Sequence} accepted position {e.Accepted.QueuePosition}",
                    JobEvent.EventOneofCase.Progress => $"{e.Sequence} progress {e.Progress.Step}/{e.Progress.Total}",
                    JobEvent.EventOneofCase.Image => $"{e.Sequence} image {e.Image.Index} seed {e.Image.Seed} ({e.Image.Png.Length} bytes)",
                    _ => $"{e.Sequence} {e.EventCase}",
                });
            Console.WriteLine("finished: OK");
        }));
        jobs.Subcommands.Add(JobCommand("cancel", "cancel a job", false, async (client, id, _, ct) =>
            Print((await client.Channel.UnaryAsync(RemoteClient.Cancel, new CancelJobRequest { JobId = id }, client.Options(ct))).Job)));
        jobs.Subcommands.Add(JobCommand("get", "show a job's state", false, async (client, id, _, ct) =>
            Print((await client.Channel.UnaryAsync(RemoteClient.Get, new GetJobRequest { JobId = id }, client.Options(ct))).Job)));
        return jobs;
    }

    private static void Print(Job job) =>
        Console.WriteLine($"{job.JobId} {job.State} images {job.ImagesDone} last sequence {job.LastSequence}" +
            (job.ErrorCode != 0 ? $" error {(StatusCode)job.ErrorCode}: {job.ErrorMessage}" : ""));

    private static Command JobCommand(string name, string description, bool withAfter, Func<RemoteClient, string, ulong, CancellationToken, Task> body)
    {
        var id = new Argument<string>("job-id") { Description = "the job id" };
        var after = new Option<ulong>("--after") { Description = "only events after this sequence number" };
        var server = ServerOption();
        var key = KeyOption();
        var command = new Command(name, description);
        command.Arguments.Add(id);
        command.Options.Add(server);
        command.Options.Add(key);
        if (withAfter) command.Options.Add(after);
        command.SetAction((r, ct) => Run(r.GetValue(server)!, r.GetValue(key), c => body(c, r.GetValue(id)!, r.GetValue(after), ct)));
        return command;
    }

    internal static async Task<int> Run(string server, string? key, Func<RemoteClient, Task> body)
    {
        using var client = new RemoteClient(server, RemoteClient.KeyFrom(key));
        try
        {
            await body(client);
            return 0;
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine("error: " + RemoteGenerate.ServerStatus(e));
            return e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.Unauthenticated or StatusCode.AlreadyExists ? 2 : 1;
        }
    }
}
