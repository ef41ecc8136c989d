using System.Text;
using GenArt.Torch.Internal;

namespace GenArt.Torch.Tests;

public class NativeEnvironmentTests
{
    [Test]
    public void PassiveWaitPolicyIsChosenWhenTheUserSetNone()
    {
        Assert.That(NativeEnvironment.WaitPolicyToSet(_ => null), Is.EqualTo("PASSIVE"));
        Assert.That(NativeEnvironment.WaitPolicyToSet(_ => ""), Is.EqualTo("PASSIVE"), "an empty variable counts as unset");
    }

    [TestCase("OMP_WAIT_POLICY", "active")]
    [TestCase("GOMP_SPINCOUNT", "300000")]
    public void AUsersOwnSettingIsKept(string variable, string value)
    {
        Assert.That(NativeEnvironment.WaitPolicyToSet(name => name == variable ? value : null), Is.Null);
    }

    [Test]
    public void TheNativeEnvironmentOfThisProcessHoldsThePolicy()
    {
        using var t = torch.ones([2]) * 2.0; // the library is loaded and in use
        // /proc/self/environ is the environment this process was started with; setenv does not change it.
        var atStart = File.ReadAllText("/proc/self/environ", Encoding.UTF8).Split('\0')
            .Select(e => e.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        string? expected = NativeEnvironment.WaitPolicyToSet(name => atStart.GetValueOrDefault(name))
            ?? atStart.GetValueOrDefault("OMP_WAIT_POLICY");
        Assert.That(NativeEnvironment.Get("OMP_WAIT_POLICY"), Is.EqualTo(expected));
        if (!atStart.ContainsKey("GOMP_SPINCOUNT"))
            Assert.That(torch.openmp_wait_policy, Is.EqualTo($"OMP_WAIT_POLICY={expected}"));
    }
}
