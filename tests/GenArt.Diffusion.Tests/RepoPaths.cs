namespace GenArt.Diffusion.Tests;

/// <summary>The repository's folders, found by walking up from the test assembly to the folder holding GenArt.sln.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenArt.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no GenArt.sln above {AppContext.BaseDirectory}");
    });

    public static string Root => root.Value;

    /// <summary>tests/fixtures</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    /// <summary>Fills <paramref name="folder"/> with symbolic links to every entry of <paramref name="source"/>: a
    /// model folder to add files to without copying its weights.</summary>
    public static void LinkEntries(string source, string folder)
    {
        foreach (var entry in Directory.GetFileSystemEntries(source))
        {
            string link = Path.Combine(folder, Path.GetFileName(entry));
            if (Directory.Exists(entry)) Directory.CreateSymbolicLink(link, entry);
            else File.CreateSymbolicLink(link, entry);
        }
    }
}
