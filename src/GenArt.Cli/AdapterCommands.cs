using System.CommandLine;
using System.Globalization;
using GenArt.Api.V1;
using Spectre.Console;

namespace GenArt.Cli;

/// <summary><c>genart adapters upload|list|get|delete</c>: the caller's LoRA adapters on a server.</summary>
internal static class AdapterCommands
{
    public static Command Create()
    {
        var adapters = new Command("adapters", "upload, list, show or delete your LoRA adapters on a server");
        adapters.Subcommands.Add(Upload());
        adapters.Subcommands.Add(List());
        adapters.Subcommands.Add(Named("get", "show one adapter", async (client, name, ct) =>
            Print((await client.Channel.UnaryAsync(RemoteClient.GetAdapter, new AdaptersGetRequest { Name = name }, client.Options(ct))).Adapter)));
        adapters.Subcommands.Add(Named("delete", "delete an adapter", async (client, name, ct) =>
        {
            await client.Channel.UnaryAsync(RemoteClient.DeleteAdapter, new AdaptersDeleteRequest { Name = name }, client.Options(ct));
            Console.WriteLine($"deleted {name}");
        }));
        return adapters;
    }

    private static Command Upload()
    {
        var file = new Argument<FileInfo>("file") { Description = "the adapter (.safetensors)" };
        var name = new Option<string>("--name") { Description = "adapter name: a-z, 0-9, '.', '_', '-' (1-64)", Required = true };
        var baseModel = new Option<string?>("--base-model") { Description = "the model it was trained for (default: the server's first)" };
        var description = new Option<string?>("--description") { Description = "free text shown by list and get" };
        var server = RemoteCommands.ServerOption();
        var key = RemoteCommands.KeyOption();
        var command = new Command("upload", "upload an adapter file");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { name, baseModel, description, server, key }) command.Options.Add(o);
        command.SetAction((r, ct) =>
        {
            var info = r.GetValue(file)!;
            if (!info.Exists)
            {
                Console.Error.WriteLine($"error: {info.FullName} does not exist");
                return Task.FromResult(2);
            }
            return RemoteCommands.Run(r.GetValue(server)!, r.GetValue(key), async client =>
            {
                var metadata = new AdapterUploadMetadata
                {
                    Name = r.GetValue(name)!, BaseModel = r.GetValue(baseModel) ?? "", Description = r.GetValue(description) ?? "",
                    Format = AdapterFormat.Safetensors, SizeBytes = (ulong)info.Length,
                };
                await using var stream = info.OpenRead();
                Adapter? adapter = null;
                await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask($"upload {metadata.Name}", maxValue: Math.Max(1, info.Length));
                        adapter = await AdapterUpload.UploadAsync(client.Channel, client.Options(ct), metadata, stream,
                            new Progress<long>(sent => task.Value = sent), ct);
                        task.Value = task.MaxValue;
                    });
                Print(adapter!);
            });
        });
        return command;
    }

    private static Command List()
    {
        var baseModel = new Option<string?>("--base-model") { Description = "only adapters for this model" };
        var server = RemoteCommands.ServerOption();
        var key = RemoteCommands.KeyOption();
        var command = new Command("list", "list your adapters");
        foreach (var o in new Option[] { baseModel, server, key }) command.Options.Add(o);
        command.SetAction((r, ct) => RemoteCommands.Run(r.GetValue(server)!, r.GetValue(key), async client =>
        {
            var list = await client.Channel.UnaryAsync(RemoteClient.ListAdapters, new AdaptersListRequest { BaseModel = r.GetValue(baseModel) ?? "" },
                client.Options(ct));
            var table = new Table().AddColumns("name", "base model", "layout", "rank", "size", "description");
            foreach (var a in list.Adapters)
                table.AddRow(Markup.Escape(a.Name), Markup.Escape(a.BaseModel), a.Layout, a.Rank.ToString(CultureInfo.InvariantCulture),
                    Size(a.SizeBytes), Markup.Escape(a.Description));
            AnsiConsole.Write(table);
        }));
        return command;
    }

    private static Command Named(string verb, string description, Func<RemoteClient, string, CancellationToken, Task> body)
    {
        var name = new Argument<string>("name") { Description = "the adapter name" };
        var server = RemoteCommands.ServerOption();
        var key = RemoteCommands.KeyOption();
        var command = new Command(verb, description);
        command.Arguments.Add(name);
        command.Options.Add(server);
        command.Options.Add(key);
        command.SetAction((r, ct) => RemoteCommands.Run(r.GetValue(server)!, r.GetValue(key), c => body(c, r.GetValue(name)!, ct)));
        return command;
    }

    private static void Print(Adapter a)
    {
        Console.WriteLine($"name         {a.Name}");
        Console.WriteLine($"base model   {a.BaseModel}");
        Console.WriteLine($"layout       {a.Layout}, rank {a.Rank}, alpha {a.Alpha.ToString(CultureInfo.InvariantCulture)}, {a.TargetCount} layers");
        Console.WriteLine($"size         {Size(a.SizeBytes)} ({a.SizeBytes} bytes)");
        Console.WriteLine($"sha256       {a.Sha256}");
        Console.WriteLine($"created      {a.CreatedAt.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture)}");
        if (a.Description.Length > 0) Console.WriteLine($"description  {a.Description}");
    }

    private static string Size(ulong bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.0} MiB",
    };
}
