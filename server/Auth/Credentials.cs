using System.Text.RegularExpressions;
using ChatApp.Server.Errors;

namespace ChatApp.Server.Auth;

/// <summary>The rules for user names and passwords, with messages that say what to change.</summary>
public static partial class Credentials
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")]
    private static partial Regex UserNamePattern();

    public static void ValidateUserName(string? userName)
    {
        if (string.IsNullOrWhiteSpace(userName) || !UserNamePattern().IsMatch(userName))
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
