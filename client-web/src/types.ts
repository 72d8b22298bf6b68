// The wire contract (contracts/*.cs, docs/protocol.md) as the browser sees it: camelCase JSON.

export type EntryKind = 'message' | 'edit' | 'delete' | 'reaction';

/**
 * How many reacted with one emoji. `mine` is relative to whoever the entry was read for: this user on
 * history, catch-up and the React answer; the entry's sender on a live ReactionChanged event.
 */
export interface ReactionCount {
  emoji: string;
  count: number;
  mine: boolean;
}

/** A refused call, as contracts/ChatErrors.cs codes it: `[code] text` or `[code retry_after=seconds] text`. */
export interface ChatError {
  code: string;
  retryAfterSeconds: number | null;
  text: string;
}

/** Reads the code from a hub error message (after "HubException: " when a SignalR client reports it); null when there is none. */
export function parseChatError(message: string): ChatError | null {
  const marker = 'HubException: ';
  const at = message.indexOf(marker);
  const rest = at >= 0 ? message.slice(at + marker.length) : message;
  const match = /^\[([a-z_]+)(?: retry_after=(\d+))?\] ?/.exec(rest);
  if (!match) return null;
  return { code: match[1], retryAfterSeconds: match[2] ? Number(match[2]) : null, text: rest.slice(match[0].length) };
}

/** Codes that promise nothing was done and the same call may succeed later (the same clientMessageId). */
export const isRetryable = (code: string | undefined): boolean => code === 'unavailable' || code === 'rate_limited';

/** One entry of a room's ordered log; seq is 1, 2, 3, ... per room without gaps. */
export interface ChatMessage {
  id: number;
  room: string;
  seq: number;
  sender: string;
  /** For an edit the new text, for a reaction the emoji, for a delete empty. */
  text: string;
  sentAt: string;
  clientMessageId: string;
  kind: EntryKind;
  targetSeq: number | null;
  editedAt: string | null;
  deleted: boolean;
  reactions: ReactionCount[];
  mentions: string[];
  /** The seq of the message this one answers (same room); absent on older servers. */
  replyTo?: number | null;
  /** That message as it is now. */
  quoted?: ReplyPreview | null;
  attachments?: AttachmentInfo[];
}

export interface ReplyPreview {
  seq: number;
  sender: string;
  text: string;
  deleted: boolean;
}

/** An uploaded file; fetched with the access token from `/api/attachments/{id}`. */
export interface AttachmentInfo {
  id: string;
  fileName: string;
  contentType: string;
  length: number;
  width: number | null;
  height: number | null;
  isImage: boolean;
}

export interface RoomInfo {
  name: string;
  isPrivate: boolean;
  lastSeq: number;
  isMember: boolean;
  isDirect: boolean;
  directWith: string | null;
  owner: string | null;
  /** Archived by its owner or an admin: readable, takes no new messages. */
  isArchived: boolean;
  lastReadSeq: number;
  unread: number;
  mentions: number;
  /** Set by the owner; absent on older servers. */
  topic?: string | null;
  memberCount?: number;
}

export interface MemberInfo {
  userName: string;
  online: boolean;
  isOwner: boolean;
}

export interface HistoryPage {
  room: string;
  messages: ChatMessage[];
  hasMore: boolean;
}

export interface SearchPage {
  results: ChatMessage[];
  hasMore: boolean;
}

export interface RegisterRequest {
  userName: string;
  password: string;
}

export type LoginRequest = RegisterRequest;

export interface LoginResponse {
  tokenType: string;
  accessToken: string;
  expiresIn: number;
  /** Never sent to the browser: its refresh token travels only in an HttpOnly cookie. */
  refreshToken?: string | null;
  userName: string;
  isAdmin: boolean;
}

export const ChatPaths = {
  hub: '/hubs/chat',
  register: '/api/auth/register',
  login: '/api/auth/login',
  refresh: '/api/auth/refresh',
  logout: '/api/auth/logout',
  rooms: '/api/rooms',
  search: '/api/search',
  attachments: '/api/attachments',
} as const;

/** The hub's server-to-client events (IChatClient). */
export const HubEvents = {
  messageReceived: 'MessageReceived',
  messageEdited: 'MessageEdited',
  messageDeleted: 'MessageDeleted',
  reactionChanged: 'ReactionChanged',
  userOnline: 'UserOnline',
  userOffline: 'UserOffline',
  userJoined: 'UserJoined',
  userLeft: 'UserLeft',
  typing: 'Typing',
  roomJoined: 'RoomJoined',
  roomLeft: 'RoomLeft',
  roomChanged: 'RoomChanged',
} as const;
