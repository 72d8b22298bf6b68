using System.Text.RegularExpressions;
using ChatApp.Server.Errors;

namespace ChatApp.Server.Auth;

/// <summary>The rules for user names and passwords, with messages that say what to change.</summary>
public static partial class Credentials
{
    public const int MinUserNameLength = 3;
    public const int MaxUserNameLength = 32;

    // \A and \z: the whole string, where ^ and $ would let a name end in "\n".
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_.-]{2,31}\z")]
    private static partial Regex UserNamePattern();

    /// <summary>Whether the text could be a user name; the length is checked before anything else looks at it.</summary>
    public static bool IsUserName(string? userName) =>
        userName is { Length: >= MinUserNameLength and <= MaxUserNameLength } && UserNamePattern().IsMatch(userName);

    public static void ValidateUserName(string? userName)
    {
        if (!IsUserName(userName))
        {
            throw ChatException.Invalid("A user name is 3 to 32 characters: letters, digits, '_', '.' or '-', starting with a letter or digit.");
        }
    }

    public static void ValidatePassword(string userName, string? password, AuthOptions options)
    {
        if (string.IsNullOrEmpty(password) || password.Length < options.MinPasswordLength)
        {
            throw ChatException.Invalid($"The password must be at least {options.MinPasswordLength} characters long.");
        }

        if (password.Length > options.MaxPasswordLength)
        {
            throw ChatException.Invalid($"The password must be at most {options.MaxPasswordLength} characters long.");
        }

        if (InputText.HasForbiddenCharacters(password, allowLineBreaks: false))
        {
            throw ChatException.Invalid("The password cannot contain control characters.");
        }

        if (!password.Any(char.IsLetter) || password.All(char.IsLetter))
        {
            throw ChatException.Invalid("The password must contain at least one letter and at least one digit or symbol.");
        }

        if (password.Contains(userName, StringComparison.OrdinalIgnoreCase))
        {
            throw ChatException.Invalid("The password must not contain the user name.");
        }
    }
}
