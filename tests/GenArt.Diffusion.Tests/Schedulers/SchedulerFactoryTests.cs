using GenArt.Diffusion.Schedulers;

namespace GenArt.Diffusion.Tests.Schedulers;

[TestFixture]
public sealed class SchedulerFactoryTests
{
    [TestCase("ddim", typeof(DdimScheduler), "DDIM")]
    [TestCase("pndm", typeof(PndmScheduler), "PLMS")]
    [TestCase("euler", typeof(EulerScheduler), "Euler")]
    [TestCase("euler-a", typeof(EulerAncestralScheduler), "Euler a")]
    [TestCase("dpmpp-2m", typeof(DpmSolverMultistepScheduler), "DPM++ 2M")]
    [TestCase("dpmpp-2m-karras", typeof(DpmSolverMultistepScheduler), "DPM++ 2M Karras")]
    [TestCase("lcm", typeof(LcmScheduler), "LCM")]
    public void IdAndA1111NameBuildTheSameScheduler(string id, Type type, string display)
    {
        var config = SchedulerGolden.Sd1Config();
        using var byId = SchedulerFactory.Create(id, config);
        using var byDisplay = SchedulerFactory.Create(display, config);
        using var byUpper = SchedulerFactory.Create(display.ToUpperInvariant(), config);
        Assert.That(byId, Is.TypeOf(type));
        Assert.That(byId.Name, Is.EqualTo(id));
        Assert.That(byDisplay.Name, Is.EqualTo(id));
        Assert.That(byUpper.Name, Is.EqualTo(id));
        Assert.That(SchedulerFactory.Normalize(display), Is.EqualTo(id));
        Assert.That(SchedulerFactory.DisplayName(id), Is.EqualTo(display));
        Assert.That(SchedulerFactory.IsKnown(display), Is.True);
    }

    [Test]
    public void KarrasNameSwitchesKarrasSigmasOn()
    {
        var config = SchedulerGolden.Sd1Config();
        using var plain = SchedulerFactory.Create("DPM++ 2M", config);
        using var karras = SchedulerFactory.Create("DPM++ 2M Karras", config);
        plain.SetTimesteps(10);
        karras.SetTimesteps(10);
        Assert.That(karras.Sigmas, Is.Not.EqualTo(plain.Sigmas));
        Assert.That(karras.Sigmas![0], Is.EqualTo(plain.Sigmas![0]).Within(1e-4), "both start at σ_max");
    }

    [TestCase("euler_a")]
    [TestCase("")]
    [TestCase("DPM++ SDE")]
    public void UnknownNameListsTheKnownOnes(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => SchedulerFactory.Create(name));
        Assert.That(e!.Message, Does.Contain($"unknown scheduler \"{name}\""));
        foreach (var known in SchedulerFactory.Names.Concat(SchedulerFactory.DisplayNames))
            Assert.That(e.Message, Does.Contain($"\"{known}\""));
        Assert.That(SchedulerFactory.IsKnown(name), Is.False);
    }

    [Test]
    public void NamesAndDisplayNamesAreParallel()
    {
        Assert.That(SchedulerFactory.Names, Is.EqualTo(new[] { "ddim", "pndm", "euler", "euler-a", "dpmpp-2m", "dpmpp-2m-karras", "lcm" }));
        Assert.That(SchedulerFactory.DisplayNames, Is.EqualTo(new[] { "DDIM", "PLMS", "Euler", "Euler a", "DPM++ 2M", "DPM++ 2M Karras", "LCM" }));
    }
}
