using Microsoft.EntityFrameworkCore;

namespace ChatApp.Server.Data;

/// <summary>
/// The unit of work over the chat database, and the one description of its schema: EF Core migrations
/// are generated from this model. It knows no provider; each provider has a subclass that owns that
/// provider's migrations (<see cref="SqliteChatDbContext"/>, <c>Data/Migrations/Sqlite/</c>), because
/// migration SQL differs between providers and EF Core keys a migration set by context type.
/// </summary>
public class ChatDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Room> Rooms => Set<Room>();
    public DbSet<RoomMember> RoomMembers => Set<RoomMember>();
    public DbSet<LogEntry> LogEntries => Set<LogEntry>();
    public DbSet<Reaction> Reactions => Set<Reaction>();
    public DbSet<Mention> Mentions => Set<Mention>();
    public DbSet<UserSession> Sessions => Set<UserSession>();
    public DbSet<SessionEnd> SessionEnds => Set<SessionEnd>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<RoomMemberChange> RoomMemberChanges => Set<RoomMemberChange>();

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
            room.HasOne<User>().WithMany().HasForeignKey(r => r.OwnerId).OnDelete(DeleteBehavior.NoAction);
        });

        modelBuilder.Entity<RoomMember>(member =>
        {
            member.HasKey(m => new { m.RoomId, m.UserId });
            member.HasIndex(m => m.UserId);
            member.HasOne<Room>().WithMany().HasForeignKey(m => m.RoomId).OnDelete(DeleteBehavior.Cascade);
            member.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<RoomMemberChange>(change =>
        {
            change.HasKey(c => new { c.RoomId, c.Version });
            change.HasOne<Room>().WithMany().HasForeignKey(c => c.RoomId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<LogEntry>(entry =>
        {
            entry.HasIndex(e => new { e.RoomId, e.Seq }).IsUnique();
            entry.HasIndex(e => new { e.SenderId, e.ClientMessageId }).IsUnique();
            // The log is append-only: nothing that deletes a user or a room may take entries with it.
            entry.HasOne(e => e.Sender).WithMany().HasForeignKey(e => e.SenderId).OnDelete(DeleteBehavior.NoAction);
            entry.HasOne(e => e.Room).WithMany().HasForeignKey(e => e.RoomId).OnDelete(DeleteBehavior.NoAction);
        });

        modelBuilder.Entity<Reaction>(reaction =>
        {
            reaction.HasKey(r => new { r.RoomId, r.Seq, r.UserId, r.Emoji });
            reaction.HasOne<Room>().WithMany().HasForeignKey(r => r.RoomId).OnDelete(DeleteBehavior.NoAction);
            reaction.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.NoAction);
        });
        modelBuilder.Entity<Mention>(mention =>
        {
            mention.HasKey(m => new { m.UserId, m.RoomId, m.Seq });
            mention.HasIndex(m => new { m.RoomId, m.Seq });
            mention.HasOne<Room>().WithMany().HasForeignKey(m => m.RoomId).OnDelete(DeleteBehavior.NoAction);
            mention.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.NoAction);
        });

        modelBuilder.Entity<UserSession>(session =>
        {
            session.ToTable("Sessions");
            session.HasIndex(s => s.UserId);
            session.HasOne<User>().WithMany().HasForeignKey(s => s.UserId);
        });

        modelBuilder.Entity<Attachment>(attachment =>
        {
            attachment.HasIndex(a => new { a.RoomId, a.Seq });
            attachment.HasOne<Room>().WithMany().HasForeignKey(a => a.RoomId).OnDelete(DeleteBehavior.NoAction);
            attachment.HasOne<User>().WithMany().HasForeignKey(a => a.UploaderId).OnDelete(DeleteBehavior.NoAction);
        });
    }
}
