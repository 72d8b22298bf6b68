using ChatApp.Server.Auth;
using ChatApp.Server.Messages;
using ChatApp.Server.Rooms;
using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Data;

/// <summary>
/// The unit of work over the chat database. The schema itself is created by <see cref="SchemaMigrator"/>
/// from versioned SQL (dotnet-ef cannot be restored here); this model maps onto it.
/// </summary>
public sealed class ChatDbContext(DbContextOptions<ChatDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Room> Rooms => Set<Room>();
    public DbSet<RoomMember> RoomMembers => Set<RoomMember>();
    public DbSet<LogEntry> LogEntries => Set<LogEntry>();
    public DbSet<Reaction> Reactions => Set<Reaction>();
    public DbSet<Mention> Mentions => Set<Mention>();
    public DbSet<UserSession> Sessions => Set<UserSession>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.Property(u => u.UserName).UseCollation("NOCASE");
            user.HasIndex(u => u.UserName).IsUnique();
        });

        modelBuilder.Entity<Room>(room =>
        {
            room.Property(r => r.Name).UseCollation("NOCASE");
            room.HasIndex(r => r.Name).IsUnique();
        });

        modelBuilder.Entity<RoomMember>(member =>
        {
            member.HasKey(m => new { m.RoomId, m.UserId });
            member.HasIndex(m => m.UserId);
        });

        modelBuilder.Entity<LogEntry>(entry =>
        {
            entry.HasIndex(e => new { e.RoomId, e.Seq }).IsUnique();
            entry.HasIndex(e => new { e.SenderId, e.ClientMessageId }).IsUnique();
            entry.HasOne(e => e.Sender).WithMany().HasForeignKey(e => e.SenderId);
            entry.HasOne(e => e.Room).WithMany().HasForeignKey(e => e.RoomId);
        });

        modelBuilder.Entity<Reaction>().HasKey(r => new { r.RoomId, r.Seq, r.UserId, r.Emoji });
        modelBuilder.Entity<Mention>(mention =>
        {
            mention.HasKey(m => new { m.UserId, m.RoomId, m.Seq });
            mention.HasIndex(m => new { m.RoomId, m.Seq });
        });

        modelBuilder.Entity<UserSession>(session =>
        {
            session.ToTable("Sessions");
            session.HasIndex(s => s.UserId);
            session.HasOne<User>().WithMany().HasForeignKey(s => s.UserId);
        });
    }
}
