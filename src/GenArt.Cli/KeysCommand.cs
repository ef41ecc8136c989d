using System.CommandLine;
using GenArt.Server.Auth;

namespace GenArt.Cli;

/// <summary><c>genart keys create --tenant T</c>: a new API key, printed once; only its hash is stored.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "the tenant (brand) the key acts for", Required = true };
        var data = new Option<string>("--data") { Description = "data directory (keys.json)", DefaultValueFactory = _ => "data" };
        var create = new Command("create", "create an API key");
        create.Options.Add(tenant);
        create.Options.Add(data);
        create.SetAction(r =>
        {
            try
            {
                Console.WriteLine(new ApiKeyStore(r.GetValue(data)!).Create(r.GetValue(tenant)!));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 2;
            }
        });
        var keys = new Command("keys", "manage API keys");
        keys.Subcommands.Add(create);
        return keys;
    }
}
