using System.CommandLine;

namespace GenArt.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("genart: prompts in, images out; a self-hostable generative-art service");
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(TrainBaseCommand.Create());
        root.Subcommands.Add(EvalAdherenceCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(RemoteCommands.Models());
        root.Subcommands.Add(RemoteCommands.Jobs());
        root.Subcommands.Add(AdapterCommands.Create());
        root.Subcommands.Add(BatchCommand.Create());
        root.Subcommands.Add(FineTuneRemoteCommands.Create());
        root.Subcommands.Add(FineTuneCommands.Local());
        root.Subcommands.Add(FineTuneCommands.Acceptance());
        var parsed = root.Parse(args);
        // The worker handles SIGTERM and Ctrl+C itself: its grace period for the batch in progress is longer than
        // the command line's own wait before it ends the process.
        var config = parsed.CommandResult.Command.Name == "worker" ? new InvocationConfiguration { ProcessTerminationTimeout = null } : null;
        return parsed.Invoke(config);
    }
}
