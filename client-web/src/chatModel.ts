import type { HubConnection } from '@microsoft/signalr';
import { parseChatError, type ChatMessage, type MemberInfo, type RoomInfo } from './types';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface RoomState {
  info: RoomInfo;
  /** Message entries (kind "message") by seq, as they are now (edits, deletes and reactions applied). */
  messages: Map<number, ChatMessage>;
  /** The last log seq applied from the live feed or the catch-up stream; what catch-up asks after. */
  lastAppliedSeq: number;
  loaded: boolean;
  hasMore: boolean;
  loadingOlder: boolean;
  /** While catching up, live events are buffered here instead of applied. */
  syncing: boolean;
  buffer: ChatMessage[];
  catchUp: { generation: number; done: Promise<void> } | null;
  /** User name to the time (ms) their typing notice expires. */
  typing: Map<string, number>;
  members: MemberInfo[] | null;
}

/** A send not yet acknowledged; retried with the same clientMessageId, so the server stores it once. */
export interface OutboxItem {
  clientMessageId: string;
  room: string;
  text: string;
  createdAt: string;
  sending?: boolean;
  /** The server refused it (for a reason the user can read); it waits for retry or discard. */
  failed?: string;
  /** A reply: the seq of the message it answers. */
  replyTo?: number;
  /** Uploaded before the send. */
  attachmentIds?: string[];
}

export interface ChatEvents {
  changed(): void;
  toast(message: string): void;
  unauthorized(): void;
  /** A live message from someone else arrived while it was not being read (it counted as unread). */
  incoming(room: RoomState, entry: ChatMessage): void;
}

/**
 * What the parts of the client (room log, outbox, presence) share: the connection, the rooms, and the
 * way to tell the UI something changed. ChatClient is the one implementation.
 */
export interface ChatCore {
  readonly connection: HubConnection;
  readonly rooms: Map<string, RoomState>;
  readonly events: ChatEvents;
  readonly connected: boolean;
  readonly activeRoom: string | null;
  /** Counts connects, so a catch-up started before a reconnect is not reused after it. */
  readonly generation: number;
  isMe(user: string | null | undefined): boolean;
  /** A call the user asked for: failures become a toast and a rejected promise. */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** A call the client makes on its own (typing, read markers): a failure is said once, not on every keystroke. */
  background(method: string, ...args: unknown[]): Promise<unknown>;
  /** While connected, toasts <prefix> and the error the first time <key> fails; later failures stay quiet. */
  reportOnce(key: string, prefix: string, error: unknown): void;
}

export const same = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** A message as the UI keeps it: the wire leaves empty lists out (MessagePack and JSON alike). */
export const withLists = (m: ChatMessage): ChatMessage => ({ ...m, reactions: m.reactions ?? [], mentions: m.mentions ?? [] });

export function newRoomState(info: RoomInfo): RoomState {
  return {
    info,
    messages: new Map(),
    lastAppliedSeq: 0,
    loaded: false,
    hasMore: false,
    loadingOlder: false,
    syncing: false,
    buffer: [],
    catchUp: null,
    typing: new Map(),
    members: null,
  };
}

export function newClientMessageId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; plain http on a LAN address is not one.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/** Turns a hub error into what a user should read (the HubException's message, without its code). */
export function userMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const coded = parseChatError(text);
  if (coded) return coded.text;
  const marker = 'HubException: ';
  const at = text.indexOf(marker);
  return at >= 0 ? text.slice(at + marker.length) : text;
}

/** The code of a refused hub call, if the server gave one. */
export const errorOf = (error: unknown) => parseChatError(error instanceof Error ? error.message : String(error));
