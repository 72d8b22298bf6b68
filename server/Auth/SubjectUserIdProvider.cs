using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;

namespace ChatApp.Server.Auth;

/// <summary>SignalR's user id (for <c>Clients.User</c>) is the token's subject, the user's numeric id.</summary>
internal sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.FindFirstValue(TokenClaims.Subject);
}
