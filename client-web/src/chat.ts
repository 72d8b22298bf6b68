import {
  HttpTransportType,
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
  type IRetryPolicy,
} from '@microsoft/signalr';
import { ApiError, fetchRooms, type TokenKeeper } from './api';
import { ChatPaths, HubEvents, isRetryable, parseChatError, type ChatMessage, type HistoryPage, type MemberInfo, type RoomInfo } from './types';

/** Delays between reconnect attempts; the last one repeats for as long as the page lives. */
const retryDelaysMs = [0, 1000, 2000, 5000, 10000];
const historyPageSize = 50;
const typingShownMs = 4000;
const typingThrottleMs = 3000;

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
}

export interface ChatEvents {
  changed(): void;
  toast(message: string): void;
  unauthorized(): void;
}

const same = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

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
const errorOf = (error: unknown) => parseChatError(error instanceof Error ? error.message : String(error));

const delay = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Owns the hub connection and everything the client knows: rooms, their messages, presence, typing,
 * and the outbox. The UI reads it and calls its methods; it says "changed" when something did.
 */
export class ChatClient {
  readonly rooms = new Map<string, RoomState>();
  readonly online = new Set<string>();
  outbox: OutboxItem[] = [];
  status: ConnectionStatus = 'connecting';
  activeRoom: string | null = null;
  /** Whether ListRooms has answered at least once since start. */
  roomsListed = false;

  private readonly connection: HubConnection;
  private generation = 0;
  private stopped = false;
  private lastTypingSent = new Map<string, number>();
  private reported = new Set<string>();
  private markReadTimer: number | undefined;
  private refreshRoomsTimer: number | undefined;

  constructor(readonly tokens: TokenKeeper, private readonly events: ChatEvents) {
    this.outbox = this.loadOutbox();
    const retryPolicy: IRetryPolicy = {
      // An ended session shows up as a failed refresh in connectLoop (after onclose), which asks to log in again.
      nextRetryDelayInMilliseconds: context =>
        this.stopped || this.tokens.ended
          ? null
          : retryDelaysMs[Math.min(context.previousRetryCount, retryDelaysMs.length - 1)],
    };
    this.connection = new HubConnectionBuilder()
      .withUrl(ChatPaths.hub, {
        // Asked on every connect and reconnect: the server closes a connection when its token expires.
        accessTokenFactory: () => this.tokens.accessToken(),
        skipNegotiation: true,
        transport: HttpTransportType.WebSockets,
      })
      .withAutomaticReconnect(retryPolicy)
      .configureLogging(LogLevel.Warning)
      .build();

    // Handlers first: from the moment a connection is up, live events are caught (and buffered while catching up).
    const c = this.connection;
    c.on(HubEvents.messageReceived, (m: ChatMessage) => this.onLiveEntry(m));
    c.on(HubEvents.messageEdited, (m: ChatMessage) => this.onLiveEntry(m));
    c.on(HubEvents.messageDeleted, (m: ChatMessage) => this.onLiveEntry(m));
    c.on(HubEvents.reactionChanged, (m: ChatMessage) => this.onLiveEntry(m));
    c.on(HubEvents.userOnline, (user: string) => this.setOnline(user, true));
    c.on(HubEvents.userOffline, (user: string) => this.setOnline(user, false));
    c.on(HubEvents.userJoined, (room: string, user: string) => this.onMembership(room, user, true));
    c.on(HubEvents.userLeft, (room: string, user: string) => this.onMembership(room, user, false));
    c.on(HubEvents.typing, (room: string, user: string) => this.onTyping(room, user));
    c.on(HubEvents.roomJoined, (info: RoomInfo) => this.upsertRoom(info));
    c.on(HubEvents.roomLeft, (room: string) => this.onRoomLeft(room));

    c.onreconnecting(() => {
      this.beginSync();
      this.setStatus('reconnecting');
    });
    c.onreconnected(() => void this.onConnected());
    c.onclose(() => {
      if (this.stopped) return;
      // Automatic reconnect gave up (or the server closed us): start over, token check included.
      this.setStatus('reconnecting');
      void this.connectLoop();
    });
  }

  get me(): string {
    return this.tokens.userName;
  }

  isMe(user: string | null | undefined): boolean {
    return same(user, this.me);
  }

  start(): void {
    void this.connectLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.setStatus('stopped');
    await this.connection.stop();
  }

  // ---------------------------------------------------------------- connection

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      if (this.connection.state !== HubConnectionState.Disconnected) return;
      try {
        // A REST call first: it tells a bad or expired token (401) apart from a server that is not up yet.
        await fetchRooms(await this.tokens.accessToken());
        this.beginSync();
        await this.connection.start();
        await this.onConnected();
        return;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          this.stopped = true;
          this.events.unauthorized();
          return;
        }
        if (this.connection.state !== HubConnectionState.Disconnected) return;
        await delay(retryDelaysMs[Math.min(attempt + 1, retryDelaysMs.length - 1)]);
      }
    }
  }

  /** Every room already shown buffers live events until its catch-up has run. */
  private beginSync(): void {
    for (const room of this.rooms.values()) {
      if (room.loaded) room.syncing = true;
    }
  }

  private async onConnected(): Promise<void> {
    const generation = ++this.generation;
    try {
      await this.refreshRooms();
      if (generation !== this.generation) return;
      if (![...this.rooms.values()].some(r => r.info.isMember)) {
        // A new user belongs nowhere yet: land them in the default room.
        await this.joinRoom('general', false);
      }
      this.setStatus('connected');
      if (!this.activeRoom || !this.rooms.get(this.activeRoom)?.info.isMember) {
        this.activeRoom = this.pickDefaultRoom();
      }
      const catchUps: Promise<void>[] = [];
      for (const room of this.rooms.values()) {
        if (room.loaded && room.info.isMember) catchUps.push(this.catchUp(room.info.name));
        else {
          room.syncing = false;
          room.buffer = [];
        }
      }
      if (this.activeRoom) catchUps.push(this.openRoom(this.activeRoom));
      await Promise.all(catchUps);
      await this.flushOutbox();
    } catch (error) {
      if (this.connection.state === HubConnectionState.Connected) this.events.toast(userMessage(error));
    } finally {
      this.events.changed();
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === 'stopped' && status !== 'stopped') return;
    this.status = status;
    this.events.changed();
  }

  private get connected(): boolean {
    return this.connection.state === HubConnectionState.Connected;
  }

  /** A call the user asked for: failures become a toast and a rejected promise. */
  private async call<T>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return await this.connection.invoke<T>(method, ...args);
    } catch (error) {
      this.events.toast(this.connected ? userMessage(error) : 'Not connected; try again when the connection is back.');
      throw error;
    }
  }

  /** A call the client makes on its own (typing, read markers): a failure is said once, not on every keystroke. */
  private background(method: string, ...args: unknown[]): Promise<unknown> {
    return this.connection.invoke(method, ...args).catch(error => {
      if (!this.connected || this.reported.has(method)) return undefined;
      this.reported.add(method);
      this.events.toast(`${method} failed: ${userMessage(error)}`);
      return undefined;
    });
  }

  // ---------------------------------------------------------------- rooms

  private newRoomState(info: RoomInfo): RoomState {
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

  private upsertRoom(info: RoomInfo): RoomState {
    const existing = this.rooms.get(info.name);
    if (existing) {
      existing.info = { ...existing.info, ...info };
      this.events.changed();
      return existing;
    }
    const state = this.newRoomState(info);
    this.rooms.set(info.name, state);
    this.events.changed();
    return state;
  }

  async refreshRooms(): Promise<void> {
    const list = await this.connection.invoke<RoomInfo[]>('ListRooms');
    const names = new Set(list.map(r => r.name));
    for (const info of list) {
      const state = this.upsertRoom(info);
      if (state.info.name === this.activeRoom && this.viewing(state)) {
        // The room on screen counts as read up to what is shown.
        state.info.unread = 0;
        state.info.mentions = 0;
      }
    }
    for (const [name, state] of this.rooms) {
      if (!names.has(name) && !state.loaded) this.rooms.delete(name);
      else if (!names.has(name)) state.info.isMember = false;
    }
    this.roomsListed = true;
    this.events.changed();
  }

  /** A live entry for a room this client does not know yet (a DM someone opened, say): look again, soon. */
  private scheduleRoomsRefresh(): void {
    clearTimeout(this.refreshRoomsTimer);
    this.refreshRoomsTimer = window.setTimeout(() => {
      if (this.connected) this.refreshRooms().catch(() => undefined);
    }, 300);
  }

  private pickDefaultRoom(): string | null {
    const members = [...this.rooms.values()].filter(r => r.info.isMember);
    return (members.find(r => r.info.name === 'general') ?? members[0])?.info.name ?? null;
  }

  async openRoom(name: string): Promise<void> {
    this.activeRoom = name;
    const room = this.rooms.get(name);
    this.events.changed();
    if (!room || !room.info.isMember || !this.connected) return;
    const work: Promise<unknown>[] = [this.loadMembers(name)];
    if (!room.loaded) work.push(this.catchUp(name));
    await Promise.all(work);
    this.scheduleMarkRead();
  }

  async createRoom(name: string, isPrivate: boolean): Promise<void> {
    const info = await this.call<RoomInfo>('CreateRoom', name, isPrivate);
    this.upsertRoom(info);
    await this.openRoom(info.name);
  }

  async joinRoom(name: string, open = true): Promise<void> {
    const info = await this.call<RoomInfo>('JoinRoom', name);
    this.upsertRoom({ ...info, isMember: true });
    if (open) await this.openRoom(info.name);
  }

  async leaveRoom(name: string): Promise<void> {
    await this.call<void>('LeaveRoom', name);
    this.onRoomLeft(name);
  }

  async openDirect(userName: string): Promise<void> {
    const info = await this.call<RoomInfo>('OpenDirect', userName);
    this.upsertRoom({ ...info, isMember: true, isDirect: true });
    await this.openRoom(info.name);
  }

  async invite(room: string, userName: string): Promise<void> {
    await this.call<void>('InviteToRoom', room, userName);
    await this.loadMembers(room);
  }

  private onRoomLeft(name: string): void {
    const state = this.rooms.get(name);
    if (state) {
      if (state.info.isPrivate || state.info.isDirect) this.rooms.delete(name);
      else {
        // Public: still listed, to join again; what was shown is no longer kept up to date.
        this.rooms.set(name, this.newRoomState({ ...state.info, isMember: false, unread: 0, mentions: 0 }));
      }
    }
    if (this.activeRoom === name) {
      this.activeRoom = this.pickDefaultRoom();
      if (this.activeRoom) void this.openRoom(this.activeRoom);
    }
    this.events.changed();
  }

  // ---------------------------------------------------------------- the log: live, catch-up, history

  private onLiveEntry(entry: ChatMessage): void {
    const room = this.rooms.get(entry.room);
    if (!room) {
      this.scheduleRoomsRefresh();
      return;
    }
    if (room.syncing) {
      room.buffer.push(entry);
      return;
    }
    if (!room.loaded) {
      // Not on screen yet: only the sidebar's counts move; catch-up happens when it is opened.
      room.info.lastSeq = Math.max(room.info.lastSeq, entry.seq);
      this.count(room, entry);
      this.events.changed();
      return;
    }
    if (entry.seq <= room.lastAppliedSeq) return;
    if (entry.seq > room.lastAppliedSeq + 1) {
      // A gap: something was missed. Keep this one and fetch what is in between.
      room.buffer.push(entry);
      void this.catchUp(room.info.name);
      return;
    }
    this.apply(room, entry, true);
    this.events.changed();
  }

  /** Unread and mention counts for entries that arrive live (catch-up leaves them to ListRooms). */
  private count(room: RoomState, entry: ChatMessage): void {
    if (entry.kind !== 'message' || this.isMe(entry.sender)) return;
    if (room.info.name === this.activeRoom && this.viewing(room)) return;
    room.info.unread += 1;
    if (entry.mentions?.some(m => this.isMe(m))) room.info.mentions += 1;
  }

  private viewing(room: RoomState): boolean {
    return room.loaded && document.visibilityState === 'visible';
  }

  private apply(room: RoomState, entry: ChatMessage, live: boolean): void {
    if (entry.seq <= room.lastAppliedSeq) return;
    this.applyState(room, entry);
    room.lastAppliedSeq = entry.seq;
    room.info.lastSeq = Math.max(room.info.lastSeq, entry.seq);
    if (live) {
      this.count(room, entry);
      if (entry.kind === 'message') room.typing.delete(entry.sender);
      if (room.info.name === this.activeRoom) this.scheduleMarkRead();
    }
  }

  /** Applies one entry to the messages shown; idempotent, so a replay changes nothing. */
  private applyState(room: RoomState, entry: ChatMessage): void {
    if (entry.kind === 'message' || !entry.kind) {
      room.messages.set(entry.seq, { ...entry, kind: 'message', reactions: entry.reactions ?? [], mentions: entry.mentions ?? [] });
      if (this.isMe(entry.sender)) this.removeFromOutbox(entry.clientMessageId);
      return;
    }
    const target = entry.targetSeq == null ? undefined : room.messages.get(entry.targetSeq);
    if (!target) return; // older than what is loaded: history will show it as it is now
    switch (entry.kind) {
      case 'edit':
        room.messages.set(target.seq, { ...target, text: entry.text, editedAt: entry.editedAt ?? entry.sentAt });
        break;
      case 'delete':
        room.messages.set(target.seq, { ...target, text: '', deleted: true, reactions: [] });
        break;
      case 'reaction': {
        // Counts are the message's now; "mine" is the sender's on a live event, so someone else's
        // reaction keeps this user's own marks as they were (on a replay they are this user's anyway).
        const counts = entry.reactions ?? [];
        if (this.isMe(entry.sender)) {
          room.messages.set(target.seq, { ...target, reactions: counts });
        } else {
          const mine = new Set(target.reactions.filter(r => r.mine).map(r => r.emoji));
          room.messages.set(target.seq, { ...target, reactions: counts.map(r => ({ ...r, mine: mine.has(r.emoji) })) });
        }
        break;
      }
    }
  }

  /**
   * Brings one room up to date: the newest history page when nothing is loaded yet, then every log entry
   * after the last applied seq, then the live events buffered meanwhile (those at or below what was applied are dropped).
   */
  catchUp(name: string): Promise<void> {
    const room = this.rooms.get(name);
    if (!room) return Promise.resolve();
    if (room.catchUp && room.catchUp.generation === this.generation) return room.catchUp.done;
    room.syncing = true;
    const run = { generation: this.generation, done: Promise.resolve() };
    run.done = (async () => {
      try {
        for (let pass = 0; pass < 3; pass++) {
          if (!room.loaded) {
            const page = await this.connection.invoke<HistoryPage>('GetHistory', name, null, historyPageSize);
            for (const m of page.messages) this.applyState(room, m);
            room.lastAppliedSeq = page.messages.reduce((max, m) => Math.max(max, m.seq), 0);
            room.hasMore = page.hasMore;
            room.loaded = true;
          }
          await this.streamSince(room);
          const buffered = room.buffer.sort((a, b) => a.seq - b.seq);
          room.buffer = [];
          let gap = false;
          for (const entry of buffered) {
            if (entry.seq <= room.lastAppliedSeq) continue;
            if (entry.seq > room.lastAppliedSeq + 1) {
              gap = true;
              room.buffer.push(entry);
              continue;
            }
            this.apply(room, entry, true);
          }
          if (!gap) break;
        }
      } catch (error) {
        if (this.connected) this.events.toast(`Could not load '${name}': ${userMessage(error)}`);
      } finally {
        if (room.catchUp === run) {
          room.catchUp = null;
          // A dropped connection leaves the room syncing: the next connect catches it up.
          if (this.connected) room.syncing = false;
        }
        this.events.changed();
      }
    })();
    room.catchUp = run;
    return run.done;
  }

  private streamSince(room: RoomState): Promise<void> {
    return new Promise((resolve, reject) => {
      this.connection.stream<ChatMessage>('StreamMessagesSince', room.info.name, room.lastAppliedSeq).subscribe({
        next: entry => this.apply(room, entry, false),
        complete: () => resolve(),
        error: error => reject(error),
      });
    });
  }

  async loadOlder(name: string): Promise<void> {
    const room = this.rooms.get(name);
    if (!room || !room.loaded || !room.hasMore || room.loadingOlder || !this.connected) return;
    const oldest = Math.min(...room.messages.keys());
    if (!Number.isFinite(oldest)) return;
    room.loadingOlder = true;
    this.events.changed();
    try {
      const page = await this.connection.invoke<HistoryPage>('GetHistory', name, oldest, historyPageSize);
      for (const m of page.messages) {
        if (!room.messages.has(m.seq)) room.messages.set(m.seq, { ...m, reactions: m.reactions ?? [], mentions: m.mentions ?? [] });
      }
      room.hasMore = page.hasMore;
    } catch (error) {
      if (this.connected) this.events.toast(userMessage(error));
    } finally {
      room.loadingOlder = false;
      this.events.changed();
    }
  }

  // ---------------------------------------------------------------- sending

  private outboxKey(): string {
    return `chatapp.outbox.${this.me.toLowerCase()}`;
  }

  private loadOutbox(): OutboxItem[] {
    try {
      const items = JSON.parse(localStorage.getItem(this.outboxKey()) ?? '[]') as OutboxItem[];
      return items.map(i => ({ ...i, sending: false }));
    } catch {
      return [];
    }
  }

  private saveOutbox(): void {
    const items = this.outbox.map(({ sending: _sending, ...item }) => item);
    if (items.length) localStorage.setItem(this.outboxKey(), JSON.stringify(items));
    else localStorage.removeItem(this.outboxKey());
  }

  private removeFromOutbox(clientMessageId: string): void {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter(i => i.clientMessageId !== clientMessageId);
    if (this.outbox.length !== before) this.saveOutbox();
  }

  /** Shows the message at once (pending) and sends it; if the connection is down it goes when it is back. */
  send(room: string, text: string): void {
    const item: OutboxItem = { clientMessageId: newClientMessageId(), room, text, createdAt: new Date().toISOString() };
    this.outbox.push(item);
    this.saveOutbox();
    this.events.changed();
    // Through the queue, oldest first, so messages typed in a burst (or while offline) keep their order.
    if (this.connected) void this.flushOutbox();
  }

  private async trySend(item: OutboxItem): Promise<void> {
    if (item.sending) return;
    item.sending = true;
    this.events.changed();
    try {
      const ack = await this.connection.invoke<ChatMessage>('SendMessage', item.room, item.text, item.clientMessageId);
      this.removeFromOutbox(item.clientMessageId);
      const room = this.rooms.get(ack.room);
      // The ack shows the message in place; lastAppliedSeq moves only with the log, so nothing before it is skipped.
      if (room?.loaded && !room.messages.has(ack.seq)) room.messages.set(ack.seq, { ...ack, reactions: ack.reactions ?? [], mentions: ack.mentions ?? [] });
    } catch (error) {
      const refused = errorOf(error);
      if (this.connected && isRetryable(refused?.code)) {
        // Nothing was stored (the server is restarting, a commit failed, or this user is sending too fast):
        // send it again after the server's hint, same id.
        setTimeout(() => void this.flushOutbox(), Math.max(1, refused?.retryAfterSeconds ?? 2) * 1000);
      } else if (this.connected) {
        // The server answered no (too long, not a member...): keep it visible for retry or discard.
        item.failed = userMessage(error);
        this.saveOutbox();
        this.events.toast(`Message not sent: ${item.failed}`);
      }
      // Otherwise the connection dropped: it stays pending and goes again after reconnecting.
    } finally {
      item.sending = false;
      this.events.changed();
    }
  }

  private flushing = false;

  /** Sends what is waiting, oldest first, one at a time so their order is kept. */
  async flushOutbox(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let item = this.nextToSend(); item && this.connected; item = this.nextToSend()) {
        await this.trySend(item);
        if (this.outbox.includes(item) && !item.failed) break; // connection dropped; reconnect flushes again
      }
    } finally {
      this.flushing = false;
    }
  }

  private nextToSend(): OutboxItem | undefined {
    return this.outbox.find(i => !i.failed && !i.sending && this.rooms.get(i.room)?.info.isMember !== false);
  }

  retry(clientMessageId: string): void {
    const item = this.outbox.find(i => i.clientMessageId === clientMessageId);
    if (!item) return;
    item.failed = undefined;
    this.saveOutbox();
    this.events.changed();
    void this.flushOutbox();
  }

  discard(clientMessageId: string): void {
    this.removeFromOutbox(clientMessageId);
    this.events.changed();
  }

  async edit(room: string, seq: number, text: string): Promise<void> {
    await this.call<ChatMessage>('EditMessage', room, seq, text);
  }

  async remove(room: string, seq: number): Promise<void> {
    await this.call<ChatMessage>('DeleteMessage', room, seq);
  }

  async react(room: string, seq: number, emoji: string): Promise<void> {
    await this.call<ChatMessage>('React', room, seq, emoji);
  }

  // ---------------------------------------------------------------- presence, typing, read markers

  async loadMembers(name: string): Promise<void> {
    const room = this.rooms.get(name);
    if (!room || !this.connected) return;
    try {
      const members = await this.connection.invoke<MemberInfo[]>('GetRoomMembers', name);
      room.members = members;
      for (const m of members) {
        if (m.online) this.online.add(m.userName.toLowerCase());
        else this.online.delete(m.userName.toLowerCase());
      }
    } catch (error) {
      room.members = null;
      if (this.connected && !this.reported.has('GetRoomMembers')) {
        this.reported.add('GetRoomMembers');
        this.events.toast(`Members unavailable: ${userMessage(error)}`);
      }
    }
    this.events.changed();
  }

  isOnline(user: string): boolean {
    return this.isMe(user) ? this.connected : this.online.has(user.toLowerCase());
  }

  private setOnline(user: string, online: boolean): void {
    if (online) this.online.add(user.toLowerCase());
    else this.online.delete(user.toLowerCase());
    this.events.changed();
  }

  private onMembership(name: string, user: string, joined: boolean): void {
    const room = this.rooms.get(name);
    if (!room?.members) return;
    room.members = room.members.filter(m => !same(m.userName, user));
    if (joined) room.members.push({ userName: user, online: true, isOwner: same(room.info.owner, user) });
    if (joined) this.online.add(user.toLowerCase());
    this.events.changed();
  }

  private onTyping(name: string, user: string): void {
    const room = this.rooms.get(name);
    if (!room || this.isMe(user)) return;
    room.typing.set(user, Date.now() + typingShownMs);
    this.events.changed();
    setTimeout(() => this.events.changed(), typingShownMs + 50);
  }

  typingIn(name: string): string[] {
    const room = this.rooms.get(name);
    if (!room) return [];
    const now = Date.now();
    for (const [user, until] of room.typing) if (until <= now) room.typing.delete(user);
    return [...room.typing.keys()];
  }

  /** Tells others the user is typing, at most once every few seconds per room. */
  typing(name: string): void {
    const now = Date.now();
    if (!this.connected || now - (this.lastTypingSent.get(name) ?? 0) < typingThrottleMs) return;
    this.lastTypingSent.set(name, now);
    void this.background('SetTyping', name);
  }

  /** Moves the read marker of the room on screen to its newest entry (soon, not on every message). */
  scheduleMarkRead(): void {
    clearTimeout(this.markReadTimer);
    this.markReadTimer = window.setTimeout(() => this.markRead(), 250);
  }

  private markRead(): void {
    const room = this.activeRoom ? this.rooms.get(this.activeRoom) : undefined;
    if (!room || !room.loaded || !this.connected || document.visibilityState !== 'visible') return;
    const seq = room.lastAppliedSeq;
    if (room.info.unread || room.info.mentions) {
      room.info.unread = 0;
      room.info.mentions = 0;
      this.events.changed();
    }
    if (seq <= room.info.lastReadSeq) return;
    room.info.lastReadSeq = seq;
    void this.background('MarkRead', room.info.name, seq).then(answer => {
      const info = answer as RoomInfo | undefined;
      if (info?.name && this.rooms.get(info.name) === room) {
        room.info = { ...room.info, ...info, lastReadSeq: Math.max(info.lastReadSeq, room.info.lastReadSeq) };
        this.events.changed();
      }
    });
  }
}
