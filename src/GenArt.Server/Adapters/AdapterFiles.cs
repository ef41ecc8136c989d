using GenArt.Jobs;

namespace GenArt.Server.Adapters;

/// <summary>
/// Adapter files in the data directory, addressed by content: <c>{data}/adapters/{sha256}.safetensors</c>, so the same
/// bytes are stored once however many records name them. Uploads are written under <c>{data}/adapters/.incoming</c>
/// (the same file system, so placing one is a rename).
/// </summary>
/// <remarks>
/// Placing and removing race when one tenant deletes the last record of a file while another uploads the same bytes.
/// An upload registers its record first and places the file after; a removal renames the file aside, checks again
/// that no record names it, and only then deletes it (or renames it back). Whatever the interleaving, a registered
/// record ends with its file in place, and an unreferenced file ends removed.
/// </remarks>
public sealed class AdapterFiles
{
    private const string Extension = ".safetensors";

    public AdapterFiles(string dataDirectory)
    {
        Directory = Path.Combine(Path.GetFullPath(dataDirectory), "adapters");
        IncomingDirectory = Path.Combine(Directory, ".incoming");
    }

    /// <summary><c>{data}/adapters</c>.</summary>
    public string Directory { get; }

    /// <summary>Where uploads are written while they stream.</summary>
    public string IncomingDirectory { get; }

    /// <summary>The stored file of <paramref name="sha256"/>.</summary>
    public string PathOf(string sha256)
    {
        if (!AdapterNaming.IsSha256(sha256)) throw new ArgumentException("not a lower-case hex SHA-256", nameof(sha256));
        return Path.Combine(Directory, sha256 + Extension);
    }

    /// <summary>A new, empty file for an upload, opened for writing; the caller deletes it unless it is placed.</summary>
    public FileStream CreateIncoming()
    {
        System.IO.Directory.CreateDirectory(IncomingDirectory);
        string path = Path.Combine(IncomingDirectory, Guid.NewGuid().ToString("N") + ".part");
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
    }

    /// <summary>Moves a finished upload to its content address (replacing an equal file already there).</summary>
    public void Place(string incomingPath, string sha256) => File.Move(incomingPath, PathOf(sha256), overwrite: true);

    /// <summary>Removes the file of <paramref name="sha256"/> unless a record in <paramref name="store"/> names it.</summary>
    public async Task RemoveIfUnreferencedAsync(string sha256, IAdapterStore store, CancellationToken cancellationToken = default)
    {
        if (await store.IsReferencedAsync(sha256, cancellationToken).ConfigureAwait(false)) return;
        string path = PathOf(sha256);
        string aside = Path.Combine(IncomingDirectory, $"{sha256}.{Guid.NewGuid():N}.removing");
        System.IO.Directory.CreateDirectory(IncomingDirectory);
        try
        {
            File.Move(path, aside);
        }
        catch (FileNotFoundException)
        {
            return;
        }
        // Not cancellable: the file is aside now and must end either restored or deleted.
        if (await store.IsReferencedAsync(sha256, CancellationToken.None).ConfigureAwait(false))
        {
            // An upload registered the same bytes meanwhile; it places its own copy, and an equal file may be back.
            if (File.Exists(path)) File.Delete(aside);
            else File.Move(aside, path, overwrite: true);
            return;
        }
        File.Delete(aside);
    }

    /// <summary>Deletes a file if it exists (a refused upload's temporary file).</summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Removed at the next start's sweep of the incoming directory.
        }
    }

    /// <summary>
    /// Removes uploads' temporary files not written to for <paramref name="idle"/>: left by a process that stopped
    /// mid-upload. Called at start; front ends sharing the data directory may be streaming uploads right now, and
    /// those files are being written, so only idle ones go.
    /// </summary>
    public int SweepIncoming(TimeSpan idle, DateTime utcNow)
    {
        if (!System.IO.Directory.Exists(IncomingDirectory)) return 0;
        int removed = 0;
        foreach (string file in System.IO.Directory.EnumerateFiles(IncomingDirectory, "*.part"))
        {
            if (utcNow - File.GetLastWriteTimeUtc(file) < idle) continue;
            DeleteQuietly(file);
            removed++;
        }
        return removed;
    }
}
