import { ChatPaths, type LoginResponse, type RoomInfo } from './types';

export interface Session {
  userName: string;
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const sessionKey = 'chatapp.session';

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(sessionKey);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (!session.accessToken || !session.userName || session.expiresAt <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(sessionKey, JSON.stringify(session));
  else localStorage.removeItem(sessionKey);
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

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function register(userName: string, password: string): Promise<void> {
  const response = await postJson(ChatPaths.register, { userName, password });
  if (response.status === 409) throw new ApiError(`The name '${userName}' is taken.`, 409);
  if (!response.ok) throw await problem(response, 'Registration failed.');
}

export async function login(userName: string, password: string): Promise<Session> {
  const response = await postJson(ChatPaths.login, { userName, password });
  if (response.status === 401) throw new ApiError('Wrong user name or password.', 401);
  if (!response.ok) throw await problem(response, 'Login failed.');
  const body = (await response.json()) as LoginResponse;
  return { userName, accessToken: body.accessToken, expiresAt: Date.now() + body.expiresIn * 1000 };
}

/** Checks the token and that the server answers; throws ApiError(401) when the session is no good. */
export async function fetchRooms(session: Session): Promise<RoomInfo[]> {
  const response = await fetch(ChatPaths.rooms, { headers: { Authorization: `Bearer ${session.accessToken}` } });
  if (!response.ok) throw await problem(response, `The server answered ${response.status}.`);
  return (await response.json()) as RoomInfo[];
}
