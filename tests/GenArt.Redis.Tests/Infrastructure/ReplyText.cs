using System.Globalization;
using System.Text;

namespace GenArt.Redis.Tests.Infrastructure;

/// <summary>A compact, unambiguous rendering of a reply tree, so expected results can be written as one string.</summary>
internal static class ReplyText
{
    public static string Render(RedisReply reply)
    {
        var sb = new StringBuilder();
        Append(sb, reply);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, RedisReply reply)
    {
        switch (reply.Kind)
        {
            case RedisReplyKind.SimpleString: sb.Append('+').Append(reply); break;
            case RedisReplyKind.Error: sb.Append('-').Append(reply); break;
            case RedisReplyKind.Integer: sb.Append(':').Append(reply.ToInt64().ToString(CultureInfo.InvariantCulture)); break;
            case RedisReplyKind.BulkString:
                if (reply.IsNull) sb.Append("$nil");
                else sb.Append('$').Append(Escape(reply.ToBytes()!));
                break;
            case RedisReplyKind.Null: sb.Append('_'); break;
            case RedisReplyKind.Double: sb.Append(',').Append(reply.ToDouble().ToString("R", CultureInfo.InvariantCulture)); break;
            case RedisReplyKind.Boolean: sb.Append('#').Append(reply.ToBoolean() ? 't' : 'f'); break;
            case RedisReplyKind.BigNumber: sb.Append('(').Append(reply); break;
            case RedisReplyKind.VerbatimString: sb.Append('=').Append(reply.VerbatimFormat).Append(':').Append(reply); break;
            default:
                if (reply.IsNull)
                {
                    sb.Append("*nil");
                    break;
                }
                char open = reply.Kind switch
                {
                    RedisReplyKind.Array => '*', RedisReplyKind.Map => '%', RedisReplyKind.Set => '~', _ => '>',
                };
                sb.Append(open).Append('[');
                for (int i = 0; i < reply.Elements.Count; i++)
                {
                    if (i > 0) sb.Append(' ');
                    Append(sb, reply.Elements[i]);
                }
                sb.Append(']');
                break;
        }
    }

    private static string Escape(byte[] bytes) =>
        string.Concat(bytes.Select(b => b switch
        {
            (byte)'\r' => "\\r",
            (byte)'\n' => "\\n",
            >= 0x20 and < 0x7F => ((char)b).ToString(),
            _ => $"\\x{b:X2}",
        }));
}
