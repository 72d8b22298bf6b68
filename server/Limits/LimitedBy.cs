namespace ChatApp.Server.Limits;

/// <summary>Endpoint metadata: which limit a REST endpoint counts against.</summary>
public sealed record LimitedBy(LimitKind Kind);
