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
    const info = await this.core.call<RoomInfo>('CreateRoom', name, isPrivate);
    this.upsert(info);
    await this.open(info.name);
  }

  async join(name: string, open = true): Promise<void> {
    const info = await this.core.call<RoomInfo>('JoinRoom', name);
    this.upsert({ ...info, isMember: true });
    if (open) await this.open(info.name);
  }

  async leave(name: string): Promise<void> {
    await this.core.call<void>('LeaveRoom', name);
    this.onLeft(name);
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
