using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

/// <summary>
/// Settings of the native runtimes under libtorch that are read from the process environment once, when the
/// library loads, and so must be in place before the first call into the shim.
/// </summary>
/// <remarks>
/// <para>OpenMP's wait policy. libtorch runs its CPU kernels on an OpenMP pool (GNU libgomp), whose threads by
/// default spin after every parallel region, waiting for the next. Each op here is short and between ops the
/// calling thread runs managed code, while OpenBLAS keeps its own pool spinning too; with as many threads as
/// cores, the spinners take the cores the working threads need, and a region waits a scheduler time slice for a
/// thread that was switched out. On a 2-core machine that made a 128x128 genart-tiny render at 2 threads take
/// over twice as long as at 1 thread; a passive policy (threads sleep on a futex between regions) removes it,
/// and SD 1.5-sized steps gain too (benchmarks/results/omp-wait-policy.md).</para>
/// <para>Only the policy is chosen here: an OMP_WAIT_POLICY or GOMP_SPINCOUNT already in the environment is kept.
/// The value is set in the native environment (setenv), which is where libgomp reads it and what child
/// processes inherit; .NET's Environment.SetEnvironmentVariable changes only the managed copy.</para>
/// </remarks>
internal static partial class NativeEnvironment
{
    internal const string WaitPolicyVariable = "OMP_WAIT_POLICY";
    internal const string SpinCountVariable = "GOMP_SPINCOUNT";
    internal const string PassivePolicy = "PASSIVE";

    // A module initializer runs before any code of this library, so before the shim (and libgomp with it) loads.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Prepare()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (WaitPolicyToSet(Get) is { } policy) setenv(WaitPolicyVariable, policy, overwrite: 0);
    }

    /// <summary>The wait policy to set given the environment, or null to leave it as the user chose.</summary>
    internal static string? WaitPolicyToSet(Func<string, string?> environment) =>
        string.IsNullOrEmpty(environment(WaitPolicyVariable)) && string.IsNullOrEmpty(environment(SpinCountVariable))
            ? PassivePolicy
            : null;

    /// <summary>How OpenMP threads wait, as the environment libgomp reads says: an explicit spin count wins.</summary>
    internal static string DescribeWaitPolicy() =>
        Get(SpinCountVariable) is { Length: > 0 } spins ? $"{SpinCountVariable}={spins}"
        : Get(WaitPolicyVariable) is { Length: > 0 } policy ? $"{WaitPolicyVariable}={policy}"
        : "libgomp's default (spin, then sleep)";

    /// <summary>A variable as the native environment holds it (not .NET's snapshot of it).</summary>
    internal static string? Get(string name) => Marshal.PtrToStringUTF8(getenv(name));

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
