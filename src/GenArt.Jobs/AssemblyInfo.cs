using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("GenArt.Jobs.Tests")]
