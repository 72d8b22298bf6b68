using System.Data.Common;
using System.Text;
using ChatApp.Server.Data;

namespace ChatApp.Server.Messages;

/// <summary>
/// The statements of an <see cref="AppendRun"/>, as plain SQL that SQLite and PostgreSQL both accept (RETURNING,
/// multi-row VALUES lists, OR-ed key pairs), with the names the EF model maps. Built once per model.
/// Nothing here is SQLite-specific; the one SQLite-only part of appending is the FTS5 trigger in the migration.
/// </summary>
internal sealed class AppendSql
{
    /// <summary>Keys per statement: keeps a statement's parameters and expression depth small on any provider.</summary>
    public const int ListChunk = 200;

    /// <summary>
    /// The lengths a list of keys is padded to (by repeating its last key, which matches nothing more). The writer keeps
    /// a compiled command per statement text, so a text must not vary with every list length: these few sizes bound
    /// the texts of each query, at the cost of binding at most twice the parameters.
    /// </summary>
    private static readonly int[] ListSizes = [1, 2, 4, 8, 16, 32, 64, 128, ListChunk];

    /// <summary>The padded length of a list of <paramref name="count"/> keys (1 to <see cref="ListChunk"/>).</summary>
    public static int Padded(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ListChunk);
        return ListSizes.First(size => size >= count);
    }

    private static readonly PerModelSql<AppendSql> ByModel = new(names => new AppendSql(names));

    private readonly string _entries, _entrySender, _entryClientId, _entryRoom, _entrySeq, _entryId, _insertEntries;
    private readonly string?[] _insertEntriesByRows = new string?[InsertRows + 1];
    private readonly string?[] _originalsBySize = new string?[ListChunk + 1], _roomsBySize = new string?[ListChunk + 1], _membershipsBySize = new string?[ListChunk + 1];
    private readonly string?[,] _namedMembersBySizes = new string?[ListSizes.Length, ListSizes.Length];
    private readonly string _rooms, _roomId, _roomName, _roomPrivate, _roomArchived, _roomDeleted;
    private readonly string _members, _memberRoom, _memberUser;
    private readonly string _users, _userId, _userName;

    private AppendSql(StoreNames names)
    {
        _entries = names.Table<LogEntry>();
        _entrySender = names.Column<LogEntry>(nameof(LogEntry.SenderId));
        _entryClientId = names.Column<LogEntry>(nameof(LogEntry.ClientMessageId));
        _entryRoom = names.Column<LogEntry>(nameof(LogEntry.RoomId));
        _entrySeq = names.Column<LogEntry>(nameof(LogEntry.Seq));
        _rooms = names.Table<Room>();
        _roomId = names.Column<Room>(nameof(Room.Id));
        _roomName = names.Column<Room>(nameof(Room.Name));
        _roomPrivate = names.Column<Room>(nameof(Room.IsPrivate));
        _roomArchived = names.Column<Room>(nameof(Room.ArchivedAt));
        _roomDeleted = names.Column<Room>(nameof(Room.DeletedAt));
        _members = names.Table<RoomMember>();
        _memberRoom = names.Column<RoomMember>(nameof(RoomMember.RoomId));
        _memberUser = names.Column<RoomMember>(nameof(RoomMember.UserId));
        _users = names.Table<User>();
        _userId = names.Column<User>(nameof(User.Id));
        _userName = names.Column<User>(nameof(User.UserName));

        var lastSeq = names.Column<Room>(nameof(Room.LastSeq));
        // One statement per room per run: the row lock it takes (on PostgreSQL) serializes a room's writers across nodes,
        // membership changes included (they update the member version of the same row), so the version it reads is exact.
        AdvanceSeq = $"UPDATE {_rooms} SET {lastSeq} = {lastSeq} + @count WHERE {_roomId} = @room RETURNING {lastSeq}, {names.Column<Room>(nameof(Room.MemberVersion))}";
        _insertEntries = $"""
            INSERT INTO {_entries} ({_entryRoom}, {_entrySeq}, {_entrySender},
                {names.Column<LogEntry>(nameof(LogEntry.Kind))}, {names.Column<LogEntry>(nameof(LogEntry.Text))}, {_entryClientId}, {names.Column<LogEntry>(nameof(LogEntry.SentAt))})
            VALUES
            """;
        _entryId = names.Column<LogEntry>(nameof(LogEntry.Id));
        InsertMention = $"""
            INSERT INTO {names.Table<Mention>()} ({names.Column<Mention>(nameof(Mention.UserId))}, {names.Column<Mention>(nameof(Mention.RoomId))}, {names.Column<Mention>(nameof(Mention.Seq))})
            VALUES (@user, @room, @seq)
            """;
    }

    /// <summary>Parameters @count, @room; returns the room's new last seq and its member version.</summary>
    public string AdvanceSeq { get; }

    /// <summary>
    /// Rows per INSERT of new entries: 16 cost the least CPU per row on SQLite (see <see cref="EntryInsert"/>), and a
    /// statement of 112 parameters is far within both providers' limits.
    /// </summary>
    public const int InsertRows = 16;

    /// <summary>
    /// <paramref name="rows"/> entries (1 to <see cref="InsertRows"/>), parameters @room0, @seq0, @sender0, @kind0, @text0,
    /// @clientId0, @sentAt0, @room1, ...; returns (id, room id, seq) per row inserted, in no particular order. A row whose
    /// (sender, clientMessageId) is stored already is skipped and returns nothing; any other conflict fails the statement.
    /// </summary>
    public string InsertEntries(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, InsertRows);
        // Built once per size. Writers of two hosts in one process (tests) share a model; a race only builds it twice.
        return _insertEntriesByRows[rows] ??= new StringBuilder(_insertEntries)
            .AppendJoin(",", Enumerable.Range(0, rows).Select(r => $" (@room{r}, @seq{r}, @sender{r}, @kind{r}, @text{r}, @clientId{r}, @sentAt{r})"))
            .Append($" ON CONFLICT ({_entrySender}, {_entryClientId}) DO NOTHING RETURNING {_entryId}, {_entryRoom}, {_entrySeq}")
            .ToString();
    }

    /// <summary>Parameters @user, @room, @seq.</summary>
    public string InsertMention { get; }

    public static AppendSql For(ChatDbContext db) => ByModel.For(db);

    /// <summary>(sender id, client message id) of the stored entries among the pairs @s0/@c0, @s1/@c1, ... (a <see cref="Padded"/> count).</summary>
    public string Originals(int pairs) => _originalsBySize[Padded(pairs)] ??= OrPairs(
        $"SELECT {_entrySender}, {_entryClientId} FROM {_entries} WHERE ", _entrySender, "s", _entryClientId, "c", Padded(pairs));

    /// <summary>Live rooms named @n0, @n1, ... (a <see cref="Padded"/> count): id, name, private, archived-at.</summary>
    public string Rooms(int names) => _roomsBySize[Padded(names)] ??=
        $"""
        SELECT {_roomId}, {_roomName}, {_roomPrivate}, {_roomArchived} FROM {_rooms}
        WHERE {_roomName} IN ({List("n", Padded(names))}) AND {_roomDeleted} IS NULL
        """;

    /// <summary>
    /// (room id, user id) of the memberships among the pairs @r0/@u0, @r1/@u1, ... (a <see cref="Padded"/> count): each
    /// term one lookup in the key (room, user).
    /// </summary>
    public string Memberships(int pairs) => _membershipsBySize[Padded(pairs)] ??= OrPairs(
        $"SELECT {_memberRoom}, {_memberUser} FROM {_members} WHERE ", _memberRoom, "r", _memberUser, "u", Padded(pairs));

    /// <summary>
    /// Members (room id, user id, user name) of the rooms @r0, @r1, ... whose names are among @n0, @n1, ... (both
    /// <see cref="Padded"/> counts).
    /// </summary>
    public string NamedMembers(int rooms, int names)
    {
        var (roomSize, nameSize) = (Padded(rooms), Padded(names));
        return _namedMembersBySizes[Array.IndexOf(ListSizes, roomSize), Array.IndexOf(ListSizes, nameSize)] ??=
            $"""
            SELECT m.{_memberRoom}, u.{_userId}, u.{_userName}
            FROM {_members} m JOIN {_users} u ON u.{_userId} = m.{_memberUser}
            WHERE m.{_memberRoom} IN ({List("r", roomSize)}) AND u.{_userName} IN ({List("n", nameSize)})
            """;
    }

    private static string OrPairs(string select, string first, string firstPrefix, string second, string secondPrefix, int pairs)
    {
        var sql = new StringBuilder(select);
        for (var i = 0; i < pairs; i++)
        {
            sql.Append(i == 0 ? "" : " OR ").Append($"({first} = @{firstPrefix}{i} AND {second} = @{secondPrefix}{i})");
        }

        return sql.ToString();
    }

    /// <summary>Adds a padded list's parameters, in order (for <see cref="WriteContext.Statement"/>: once per text).</summary>
    public static void AddList(DbCommand command, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Add(command, $"@{prefix}{i}", DBNull.Value);
        }
    }

    /// <summary>Adds a padded list of pairs' parameters @{first}0, @{second}0, @{first}1, ..., in the order <see cref="SetPairs"/> sets them.</summary>
    public static void AddPairs(DbCommand command, string first, string second, int size)
    {
        for (var i = 0; i < size; i++)
        {
            Add(command, $"@{first}{i}", DBNull.Value);
            Add(command, $"@{second}{i}", DBNull.Value);
        }
    }

    /// <summary>Sets a padded list of pairs (<see cref="AddPairs"/>) to the values, the last pair repeated into the padding.</summary>
    public static void SetPairs<T1, T2>(DbCommand command, int size, IReadOnlyList<(T1, T2)> values)
        where T1 : notnull
        where T2 : notnull
    {
        for (var i = 0; i < size; i++)
        {
            var (first, second) = values[Math.Min(i, values.Count - 1)];
            command.Parameters[2 * i].Value = first;
            command.Parameters[(2 * i) + 1].Value = second;
        }
    }

    /// <summary>Sets <paramref name="size"/> parameters from position <paramref name="first"/> to the values, the last repeated into the padding.</summary>
    public static void SetList<T>(DbCommand command, int first, int size, IReadOnlyList<T> values)
        where T : notnull
    {
        for (var i = 0; i < size; i++)
        {
            command.Parameters[first + i].Value = values[Math.Min(i, values.Count - 1)];
        }
    }

    private static string List(string prefix, int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => $"@{prefix}{i}"));

    public static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
