using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ChatApp.Server.Data.Migrations.Postgres
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SessionId = table.Column<string>(type: "text", nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SessionEnds", x => x.Id);
                });

            // Every revocation numbers an end, whoever wrote it (any node, an admin's SQL): the session watch reads only these.
            migrationBuilder.Sql("""
                CREATE FUNCTION session_ends_on_revoke() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "SessionEnds" ("SessionId", "EndedAt") VALUES (NEW."Id", NEW."RevokedAt");
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "SessionEnds_OnRevoke" AFTER UPDATE OF "RevokedAt" ON "Sessions"
                FOR EACH ROW WHEN (NEW."RevokedAt" IS NOT NULL AND OLD."RevokedAt" IS NULL)
                EXECUTE FUNCTION session_ends_on_revoke();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "SessionEnds_OnRevoke" ON "Sessions";
                DROP FUNCTION session_ends_on_revoke();
                """);

            migrationBuilder.DropTable(
                name: "SessionEnds");
        }
    }
}
