using System.Data.Common;

namespace ChatApp.Server.Data;

/// <summary>Parameters of the writer's kept statements (<see cref="WriteContext.Statement(string, Action{DbCommand})"/>), added once when made.</summary>
public static class StatementParameters
{
    /// <summary>Adds a parameter; <paramref name="value"/> fixes its type (the caller sets the value each time by position).</summary>
    public static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
