namespace GenArt.Torch.Tests;

internal static class TestPaths
{
    /// <summary>tests/fixtures of this repository, found by walking up from the test assembly.</summary>
    public static string Fixtures
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GenArt.sln"))) dir = dir.Parent;
            if (dir is null) throw new DirectoryNotFoundException("GenArt.sln not found above " + AppContext.BaseDirectory);
            return Path.Combine(dir.FullName, "tests", "fixtures");
        }
    }

    public static string Golden(string relative) => Path.Combine(Fixtures, "golden", relative);
}
