using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChatApp.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SessionEnds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SessionEnds",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SessionId = table.Column<string>(type: "TEXT", nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SessionEnds", x => x.Id);
                });

            // Every revocation numbers an end, whoever wrote it (any node, an admin's SQL): the session watch reads only these.
            migrationBuilder.Sql("""
                CREATE TRIGGER SessionEnds_OnRevoke AFTER UPDATE OF RevokedAt ON Sessions
                WHEN NEW.RevokedAt IS NOT NULL AND OLD.RevokedAt IS NULL
                BEGIN
                    INSERT INTO SessionEnds (SessionId, EndedAt) VALUES (NEW.Id, NEW.RevokedAt);
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER SessionEnds_OnRevoke;");

            migrationBuilder.DropTable(
                name: "SessionEnds");
        }
    }
}
