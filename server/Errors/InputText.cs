using System.Text;

namespace ChatApp.Server.Errors;

/// <summary>
/// Character checks shared by every input rule. They look at each character of the whole string, so
/// nothing hides after a line break the way it can from a regex's <c>$</c>.
/// </summary>
public static class InputText
{
    /// <summary>
    /// True when the text has a control character (line breaks and tabs allowed only when asked) or half of a
    /// surrogate pair (text that is not valid Unicode, which SQLite would store as something else).
    /// </summary>
    public static bool HasForbiddenCharacters(string text, bool allowLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return true;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return true;
            }
            else if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Canonical composition (NFC), so two spellings of the same characters are one value. Only for text without forbidden characters.</summary>
    public static string Normalize(string text) => text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);

    /// <summary>True when every character is visible ASCII (no spaces, no controls): the rule for ids.</summary>
    public static bool IsVisibleAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
