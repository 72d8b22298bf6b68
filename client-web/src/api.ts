import { ChatPaths, type LoginResponse, type RoomInfo } from './types';

/**
 * The logged-in user and their current access token. Kept in memory only: nothing a script could read is ever
 * stored in the page's storage. The refresh token lives in an HttpOnly cookie that only the auth endpoints see,
 * so a reload gets a new access token by a silent refresh.
 */
export interface Session {
  userName: string;
  isAdmin: boolean;
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Seconds the access token was issued for. */
  lifetime: number;
}

/** An answer from the server that a user can act on (ProblemDetails title, or a status). */
export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

async function problem(response: Response, fallback: string): Promise<ApiError> {
  let message = fallback;
  try {
    const body = (await response.json()) as { title?: string; detail?: string; errors?: Record<string, string[]> };
    const firstError = body.errors ? Object.values(body.errors).flat()[0] : undefined;
    message = body.detail || firstError || body.title || fallback;
  } catch {
    // Not JSON: keep the fallback.
  }
  return new ApiError(message, response.status);
}

async function postJson(path: string, body: unknown, accessToken?: string): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  // same-origin: the refresh cookie goes along to the auth endpoints (its path keeps it away from the rest).
  return fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
}

function toSession(body: LoginResponse): Session {
  return {
    userName: body.userName,
    isAdmin: body.isAdmin,
    accessToken: body.accessToken,
    expiresAt: Date.now() + body.expiresIn * 1000,
    lifetime: body.expiresIn,
  };
}

export async function register(userName: string, password: string): Promise<void> {
  const response = await postJson(ChatPaths.register, { userName, password });
  if (response.status === 409) throw new ApiError(`The name '${userName}' is taken.`, 409);
  if (!response.ok) throw await problem(response, 'Registration failed.');
}

export async function login(userName: string, password: string): Promise<Session> {
  const response = await postJson(ChatPaths.login, { userName, password, refreshTokenInCookie: true });
  if (response.status === 401) throw new ApiError('Wrong user name or password.', 401);
  if (!response.ok) throw await problem(response, 'Login failed.');
  return toSession((await response.json()) as LoginResponse);
}

/** Spends the refresh cookie for a new access token (and a new cookie). ApiError(401) means: log in. */
export async function refresh(): Promise<Session> {
  const response = await postJson(ChatPaths.refresh, {});
  if (!response.ok) throw await problem(response, 'Your session has ended; log in again.');
  return toSession((await response.json()) as LoginResponse);
}

/** Ends the session on the server (its connections close, the cookie is cleared); best effort. */
export async function logout(session: Session | null): Promise<void> {
  try {
    await postJson(ChatPaths.logout, {}, session?.accessToken);
  } catch {
    // Offline: the cookie stays until it expires, but nothing in the page holds a token any more.
  }
}

/**
 * Hands out an access token that is good for a while yet, refreshing first when less than a quarter of its life
 * (at most a minute) is left. One refresh at a time: a refresh token works once, and a second use ends the session.
 */
export class TokenKeeper {
  private refreshing: Promise<Session> | null = null;
  /** Set when a refresh was refused: the session has ended, and reconnecting is pointless. */
  ended = false;

  constructor(public session: Session) {}

  get userName(): string {
    return this.session.userName;
  }

  async accessToken(): Promise<string> {
    const margin = Math.min(60, this.session.lifetime / 4) * 1000;
    if (Date.now() < this.session.expiresAt - margin) return this.session.accessToken;
    this.refreshing ??= refresh().finally(() => (this.refreshing = null));
    try {
      this.session = await this.refreshing;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.ended = true;
      throw error;
    }
    return this.session.accessToken;
  }
}

/** Checks the token and that the server answers; throws ApiError(401) when the session is no good. */
export async function fetchRooms(accessToken: string): Promise<RoomInfo[]> {
  const response = await fetch(ChatPaths.rooms, { headers: { Authorization: `Bearer ${accessToken}` } });
  if (!response.ok) throw await problem(response, `The server answered ${response.status}.`);
  return (await response.json()) as RoomInfo[];
}
