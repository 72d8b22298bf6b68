import { newRoomState, type ChatCore, type RoomState } from './chatModel';
import type { Presence } from './presence';
import type { RoomLog } from './roomLog';
import type { RoomInfo } from './types';

/** The rooms this user sees (joined, and public ones to join) and the one on screen: list, open, join, leave, DMs. */
export class RoomList {
  /** The room on screen. */
  active: string | null = null;
  /** Whether ListRooms has answered at least once since start. */
  listed = false;
  private refreshTimer: number | undefined;
  /** Rooms this tab is joining, creating or leaving right now: their RoomJoined/RoomLeft echo is no news to tell. */
  private readonly ownChanges = new Set<string>();

  constructor(private readonly core: ChatCore, private readonly log: RoomLog, private readonly presence: Presence) {}

  upsert(info: RoomInfo): RoomState {
    const existing = this.core.rooms.get(info.name);
    if (existing) {
      existing.info = { ...existing.info, ...info };
      this.core.events.changed();
      return existing;
    }
    const state = newRoomState(info);
    this.core.rooms.set(info.name, state);
    this.core.events.changed();
    return state;
  }

  /**
   * RoomJoined: a private room someone else owns that this tab did not ask for is an invitation (only owners
   * invite), so it is announced; a DM or a room joined in another tab just appears.
   */
  onJoinedEvent(info: RoomInfo): void {
    const known = this.core.rooms.get(info.name)?.info.isMember === true;
    const invited = !known && !info.isDirect && info.isPrivate && !this.ownChanges.has(info.name.toLowerCase())
      && info.owner != null && !this.core.isMe(info.owner);
    this.upsert(info);
    if (invited) this.core.events.toast(`${info.owner} invited you to # ${info.name}`);
  }

  /** RoomLeft: when this tab did not leave on its own, say so, or the room would just vanish from the list. */
  onLeftEvent(name: string): void {
    const room = this.core.rooms.get(name);
    const told = room?.info.isMember && !this.ownChanges.has(name.toLowerCase());
    this.onLeft(name);
    if (told && room) this.core.events.toast(`You are no longer a member of ${room.info.isDirect ? 'the conversation with ' + (room.info.directWith ?? name) : '# ' + name}.`);
  }

  /** Runs one of this tab's own membership calls, so its echo events are known as such. */
  private async own<T>(name: string, call: () => Promise<T>): Promise<T> {
    const key = name.toLowerCase();
    this.ownChanges.add(key);
    try {
      return await call();
    } finally {
      this.ownChanges.delete(key);
    }
  }

  async refresh(): Promise<void> {
    const list = await this.core.connection.invoke<RoomInfo[]>('ListRooms');
    const names = new Set(list.map(r => r.name));
    for (const info of list) {
      const state = this.upsert(info);
      if (state.info.name === this.active && this.log.viewing(state)) {
        // The room on screen counts as read up to what is shown.
        state.info.unread = 0;
        state.info.mentions = 0;
      }
    }
    for (const [name, state] of this.core.rooms) {
      if (!names.has(name) && !state.loaded) this.core.rooms.delete(name);
      else if (!names.has(name)) state.info.isMember = false;
    }
    this.listed = true;
    this.core.events.changed();
  }

  /** A live entry for a room this client does not know yet (a DM someone opened, say): look again, soon. */
  scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => {
      if (this.core.connected) this.refresh().catch(() => undefined);
    }, 300);
  }

  pickDefault(): string | null {
    const members = [...this.core.rooms.values()].filter(r => r.info.isMember);
    return (members.find(r => r.info.name === 'general') ?? members[0])?.info.name ?? null;
  }

  async open(name: string): Promise<void> {
    this.active = name;
    const room = this.core.rooms.get(name);
    this.core.events.changed();
    if (!room || !room.info.isMember || !this.core.connected) return;
    const work: Promise<unknown>[] = [this.presence.loadMembers(name)];
    if (!room.loaded) work.push(this.log.catchUp(name));
    await Promise.all(work);
    this.presence.scheduleMarkRead();
  }

  async create(name: string, isPrivate: boolean): Promise<void> {
    const info = await this.own(name, () => this.core.call<RoomInfo>('CreateRoom', name, isPrivate));
    this.upsert(info);
    await this.open(info.name);
  }

  async join(name: string, open = true): Promise<void> {
    const info = await this.own(name, () => this.core.call<RoomInfo>('JoinRoom', name));
    this.upsert({ ...info, isMember: true });
    if (open) await this.open(info.name);
  }

  async leave(name: string): Promise<void> {
    await this.own(name, () => this.core.call<void>('LeaveRoom', name));
    this.onLeft(name);
  }

  /** Deletes the room for everyone (owner only); this tab's own RoomLeft echo is no news to tell. */
  async deleteRoom(name: string): Promise<void> {
    await this.own(name, () => this.core.call<void>('DeleteRoom', name));
    this.onLeft(name);
  }

  /** Archives the room or opens it again (owner only); the list is read again at once to show it. */
  async archive(name: string, archived: boolean): Promise<void> {
    await this.core.call<void>('ArchiveRoom', name, archived);
    await this.refresh();
  }

  async openDirect(userName: string): Promise<void> {
    const info = await this.core.call<RoomInfo>('OpenDirect', userName);
    this.upsert({ ...info, isMember: true, isDirect: true });
    await this.open(info.name);
  }

  async invite(room: string, userName: string): Promise<void> {
    await this.core.call<void>('InviteToRoom', room, userName);
    await this.presence.loadMembers(room);
  }

  onLeft(name: string): void {
    const state = this.core.rooms.get(name);
    if (state) {
      if (state.info.isPrivate || state.info.isDirect) this.core.rooms.delete(name);
      else {
        // Public: still listed, to join again; what was shown is no longer kept up to date.
        this.core.rooms.set(name, newRoomState({ ...state.info, isMember: false, unread: 0, mentions: 0 }));
      }
    }
    if (this.active === name) {
      this.active = this.pickDefault();
      if (this.active) void this.open(this.active);
    }
    this.core.events.changed();
  }
}
