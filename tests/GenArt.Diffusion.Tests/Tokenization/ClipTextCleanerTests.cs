using GenArt.Diffusion.Tokenization;

namespace GenArt.Diffusion.Tests.Tokenization;

/// <summary>
/// ftfy and Python behaviours beyond the 60 goldens. Expected values are those documented by ftfy 6.3
/// (its docstrings) and produced by CPython 3 <c>html.unescape</c> / <c>str.lower</c>.
/// </summary>
[TestFixture]
public class ClipTextCleanerTests
{
    [TestCase("P&EACUTE;REZ", "PÉREZ")]
    [TestCase("BUNDESSTRA&SZLIG;E", "BUNDESSTRASSE")]
    [TestCase("&lt;tag&gt;", "<tag>")]
    [TestCase("this&not that", "this&not that")]
    [TestCase("<b>&amp;</b>", "<b>&amp;</b>")]
    [TestCase("\u0093quoted\u0094", "\"quoted\"")]
    [TestCase("\u001b[36;44mI'm blue\u001b[0m", "I'm blue")]
    [TestCase("donâ€™t", "don't")]
    [TestCase("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет")]
    [TestCase("Straße“", "Straße\"")]
    [TestCase("ﬂuﬃest", "fluffiest")]
    [TestCase("ＬＯＵＤ　ＮＯＩＳＥＳ", "LOUD NOISES")]
    [TestCase("a\r\nb\u2028c", "a\nb\nc")]
    [TestCase("bell\u0007 and bom\uFEFF", "bell and bom")]
    [TestCase("e\u0301", "\u00E9")]
    [TestCase("&#x41;&#X62;&#99; &#x;", "Abc &#x;")]
    public void FixText_applies_ftfy_fixes(string input, string expected)
    {
        Assert.That(ClipTextCleaner.FixText(input), Is.EqualTo(expected));
    }

    [TestCase("&copy2024 &notit; &#x80; &#0; &#xD800; &#1114112; &#65534;x &amp", "©2024 ¬it; € \uFFFD \uFFFD \uFFFD x &")]
    [TestCase("ΟΔΟΣ ΟΔΟΣ.", "οδος οδος.")]
    [TestCase("\u0130stanbul", "i\u0307stanbul")]
    [TestCase("  a\u00A0\u3000b\u200Bc  ", "a b\u200Bc")]
    public void CleanOpenAi_follows_python(string input, string expected)
    {
        Assert.That(ClipTextCleaner.CleanOpenAi(input), Is.EqualTo(expected));
    }

    [Test]
    public void CleanHuggingFace_skips_the_lenient_html_pass()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ClipTextCleaner.CleanHuggingFace("&copy2024"), Is.EqualTo("&copy2024"));
            Assert.That(ClipTextCleaner.CleanOpenAi("&copy2024"), Is.EqualTo("©2024"));
        });
    }
}
