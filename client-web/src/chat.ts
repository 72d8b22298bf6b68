import { HubConnectionState, type HubConnection } from '@microsoft/signalr';
import { ApiError, fetchRooms, type TokenKeeper } from './api';
import {
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
import { RoomList } from './rooms';
import { HubEvents, type ChatMessage, type RoomInfo } from './types';

export { newClientMessageId, userMessage, type ChatEvents, type ConnectionStatus, type OutboxItem, type RoomState } from './chatModel';

/**
 * Owns the hub connection and its life (connect, reconnect, catch up), and puts the parts together: the
 * room list (rooms, the one on screen), the room log (live, catch-up, history), the outbox (sends) and
 * presence (members, typing, read markers). The UI reads it and calls its methods; it says "changed"
 * when something did.
 */
export class ChatClient implements ChatCore {
  readonly rooms = new Map<string, RoomState>();
  status: ConnectionStatus = 'connecting';

  readonly connection: HubConnection;
  private readonly log: RoomLog;
  private readonly sender: Outbox;
  private readonly presence: Presence;
  private readonly roomList: RoomList;
  private connects = 0;
  private stopped = false;
  private reported = new Set<string>();

  constructor(readonly tokens: TokenKeeper, readonly events: ChatEvents) {
    this.presence = new Presence(this);
    // The hook between the log and the outbox: a message of ours in the log is sent; an ack shows in the log.
    this.log = new RoomLog(this, {
      ownMessageLogged: id => this.sender.remove(id),
      activeRoomMoved: () => this.presence.scheduleMarkRead(),
      unknownRoom: () => this.roomList.scheduleRefresh(),
    });
    this.sender = new Outbox(this, this.me, ack => this.log.showAcknowledged(ack));
    this.roomList = new RoomList(this, this.log, this.presence);
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
    // Braces, not expression bodies: a handler that returns a value answers the server, which expects no answer
    // for an event and logs "Result given for 'roomjoined' method but server is not expecting a result".
    c.on(HubEvents.roomJoined, (info: RoomInfo) => {
      this.roomList.onJoinedEvent(info);
    });
    c.on(HubEvents.roomLeft, (room: string) => {
      this.roomList.onLeftEvent(room);
    });
    // A new public room or a new topic: the directory refreshes itself (debounced) instead of waiting for a reload.
    c.on(HubEvents.roomChanged, () => {
      this.roomList.scheduleRefresh();
    });

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

  /** The room on screen. */
  get activeRoom(): string | null {
    return this.roomList.active;
  }

  /** Whether ListRooms has answered at least once since start. */
  get roomsListed(): boolean {
    return this.roomList.listed;
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
        this.roomList.active = this.roomList.pickDefault();
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

  async call<T>(method: string, ...args: unknown[]): Promise<T> {
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

  // ---------------------------------------------------------------- what the UI calls on the parts

  catchUp = (name: string) => this.log.catchUp(name);
  loadOlder = (name: string) => this.log.loadOlder(name);
  send = (room: string, text: string, extras?: Pick<OutboxItem, 'replyTo' | 'attachmentIds'>) => this.sender.send(room, text, extras);
  flushOutbox = () => this.sender.flush();
  retry = (clientMessageId: string) => this.sender.retry(clientMessageId);
  discard = (clientMessageId: string) => this.sender.discard(clientMessageId);
  loadMembers = (name: string) => this.presence.loadMembers(name);
  isOnline = (user: string) => this.presence.isOnline(user);
  typingIn = (name: string) => this.presence.typingIn(name);
  typing = (name: string) => this.presence.typing(name);
  scheduleMarkRead = () => this.presence.scheduleMarkRead();
  refreshRooms = () => this.roomList.refresh();
  openRoom = (name: string) => this.roomList.open(name);
  createRoom = (name: string, isPrivate: boolean) => this.roomList.create(name, isPrivate);
  joinRoom = (name: string, open = true) => this.roomList.join(name, open);
  leaveRoom = (name: string) => this.roomList.leave(name);
  openDirect = (userName: string) => this.roomList.openDirect(userName);
  invite = (room: string, userName: string) => this.roomList.invite(room, userName);
  deleteRoom = (name: string) => this.roomList.deleteRoom(name);
  archiveRoom = (name: string, archived: boolean) => this.roomList.archive(name, archived);

  async edit(room: string, seq: number, text: string): Promise<void> {
    await this.call<ChatMessage>('EditMessage', room, seq, text);
  }

  async remove(room: string, seq: number): Promise<void> {
    await this.call<ChatMessage>('DeleteMessage', room, seq);
  }

  async setTopic(room: string, topic: string): Promise<void> {
    this.roomList.upsert(await this.call<RoomInfo>('SetRoomTopic', room, topic));
  }

  async react(room: string, seq: number, emoji: string): Promise<void> {
    await this.call<ChatMessage>('React', room, seq, emoji);
  }
}
