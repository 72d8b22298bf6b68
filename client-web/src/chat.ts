import { HubConnectionState, type HubConnection } from '@microsoft/signalr';
import { ApiError, fetchRooms, type TokenKeeper } from './api';
import {
  newRoomState,
  same,
  userMessage,
  type ChatCore,
  type ChatEvents,
  type ConnectionStatus,
  type OutboxItem,
  type RoomState,
} from './chatModel';
import { createHubConnection, delay, retryDelay } from './hubConnection';
import { Outbox } from './outbox';
import { Presence } from './presence';
import { RoomLog } from './roomLog';
import { HubEvents, type ChatMessage, type RoomInfo } from './types';

export { newClientMessageId, userMessage, type ChatEvents, type ConnectionStatus, type OutboxItem, type RoomState } from './chatModel';

/**
 * Owns the hub connection and the rooms, and puts the parts together: the room log (live, catch-up,
 * history), the outbox (sends) and presence (members, typing, read markers). The UI reads it and calls
 * its methods; it says "changed" when something did.
 */
export class ChatClient implements ChatCore {
  readonly rooms = new Map<string, RoomState>();
  status: ConnectionStatus = 'connecting';
  activeRoom: string | null = null;
  /** Whether ListRooms has answered at least once since start. */
  roomsListed = false;

  readonly connection: HubConnection;
  private readonly log: RoomLog;
  private readonly sender: Outbox;
  private readonly presence: Presence;
  private connects = 0;
  private stopped = false;
  private reported = new Set<string>();
  private refreshRoomsTimer: number | undefined;

  constructor(readonly tokens: TokenKeeper, readonly events: ChatEvents) {
    this.presence = new Presence(this);
    // The hook between the log and the outbox: a message of ours in the log is sent; an ack shows in the log.
    this.log = new RoomLog(this, {
      ownMessageLogged: id => this.sender.remove(id),
      activeRoomMoved: () => this.presence.scheduleMarkRead(),
      unknownRoom: () => this.scheduleRoomsRefresh(),
    });
    this.sender = new Outbox(this, this.me, ack => this.log.showAcknowledged(ack));
    this.connection = createHubConnection(tokens, () => !this.stopped && !this.tokens.ended);

    // Handlers first: from the moment a connection is up, live events are caught (and buffered while catching up).
    const c = this.connection;
    const live = (m: ChatMessage) => this.log.onLiveEntry(m);
    c.on(HubEvents.messageReceived, live);
    c.on(HubEvents.messageEdited, live);
    c.on(HubEvents.messageDeleted, live);
    c.on(HubEvents.reactionChanged, live);
    c.on(HubEvents.userOnline, (user: string) => this.presence.setOnline(user, true));
    c.on(HubEvents.userOffline, (user: string) => this.presence.setOnline(user, false));
    c.on(HubEvents.userJoined, (room: string, user: string) => this.presence.onMembership(room, user, true));
    c.on(HubEvents.userLeft, (room: string, user: string) => this.presence.onMembership(room, user, false));
    c.on(HubEvents.typing, (room: string, user: string) => this.presence.onTyping(room, user));
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

  get outbox(): OutboxItem[] {
    return this.sender.items;
  }

  get online(): ReadonlySet<string> {
    return this.presence.online;
  }

  get generation(): number {
    return this.connects;
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
        await delay(retryDelay(attempt + 1));
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
    const generation = ++this.connects;
    try {
      await this.refreshRooms();
      if (generation !== this.connects) return;
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
        if (room.loaded && room.info.isMember) catchUps.push(this.log.catchUp(room.info.name));
        else {
          room.syncing = false;
          room.buffer = [];
        }
      }
      if (this.activeRoom) catchUps.push(this.openRoom(this.activeRoom));
      await Promise.all(catchUps);
      await this.sender.flush();
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

  get connected(): boolean {
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

  background(method: string, ...args: unknown[]): Promise<unknown> {
    return this.connection.invoke(method, ...args).catch(error => {
      this.reportOnce(method, `${method} failed: `, error);
      return undefined;
    });
  }

  reportOnce(key: string, prefix: string, error: unknown): void {
    if (!this.connected || this.reported.has(key)) return;
    this.reported.add(key);
    this.events.toast(`${prefix}${userMessage(error)}`);
  }

  // ---------------------------------------------------------------- rooms

  private upsertRoom(info: RoomInfo): RoomState {
    const existing = this.rooms.get(info.name);
    if (existing) {
      existing.info = { ...existing.info, ...info };
      this.events.changed();
      return existing;
    }
    const state = newRoomState(info);
    this.rooms.set(info.name, state);
    this.events.changed();
    return state;
  }

  async refreshRooms(): Promise<void> {
    const list = await this.connection.invoke<RoomInfo[]>('ListRooms');
    const names = new Set(list.map(r => r.name));
    for (const info of list) {
      const state = this.upsertRoom(info);
      if (state.info.name === this.activeRoom && this.log.viewing(state)) {
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
    const work: Promise<unknown>[] = [this.presence.loadMembers(name)];
    if (!room.loaded) work.push(this.log.catchUp(name));
    await Promise.all(work);
    this.presence.scheduleMarkRead();
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
    await this.presence.loadMembers(room);
  }

  private onRoomLeft(name: string): void {
    const state = this.rooms.get(name);
    if (state) {
      if (state.info.isPrivate || state.info.isDirect) this.rooms.delete(name);
      else {
        // Public: still listed, to join again; what was shown is no longer kept up to date.
        this.rooms.set(name, newRoomState({ ...state.info, isMember: false, unread: 0, mentions: 0 }));
      }
    }
    if (this.activeRoom === name) {
      this.activeRoom = this.pickDefaultRoom();
      if (this.activeRoom) void this.openRoom(this.activeRoom);
    }
    this.events.changed();
  }

  // ---------------------------------------------------------------- what the UI calls on the parts

  catchUp = (name: string) => this.log.catchUp(name);
  loadOlder = (name: string) => this.log.loadOlder(name);
  send = (room: string, text: string) => this.sender.send(room, text);
  flushOutbox = () => this.sender.flush();
  retry = (clientMessageId: string) => this.sender.retry(clientMessageId);
  discard = (clientMessageId: string) => this.sender.discard(clientMessageId);
  loadMembers = (name: string) => this.presence.loadMembers(name);
  isOnline = (user: string) => this.presence.isOnline(user);
  typingIn = (name: string) => this.presence.typingIn(name);
  typing = (name: string) => this.presence.typing(name);
  scheduleMarkRead = () => this.presence.scheduleMarkRead();

  async edit(room: string, seq: number, text: string): Promise<void> {
    await this.call<ChatMessage>('EditMessage', room, seq, text);
  }

  async remove(room: string, seq: number): Promise<void> {
    await this.call<ChatMessage>('DeleteMessage', room, seq);
  }

  async react(room: string, seq: number, emoji: string): Promise<void> {
    await this.call<ChatMessage>('React', room, seq, emoji);
  }
}
