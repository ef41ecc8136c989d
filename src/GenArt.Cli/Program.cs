namespace GenArt.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("genart");
        return 0;
    }
}
