import { same, type ChatCore } from './chatModel';
import type { MemberInfo, RoomInfo } from './types';

const typingShownMs = 4000;
const typingThrottleMs = 3000;

/** Who is online and in each room, who is typing, and the read marker of the room on screen. */
export class Presence {
  readonly online = new Set<string>();
  private lastTypingSent = new Map<string, number>();
  private markReadTimer: number | undefined;

  constructor(private readonly core: ChatCore) {}

  async loadMembers(name: string): Promise<void> {
    const room = this.core.rooms.get(name);
    if (!room || !this.core.connected) return;
    try {
      const members = await this.core.connection.invoke<MemberInfo[]>('GetRoomMembers', name);
      room.members = members;
      for (const m of members) {
        if (m.online) this.online.add(m.userName.toLowerCase());
        else this.online.delete(m.userName.toLowerCase());
      }
    } catch (error) {
      room.members = null;
      this.core.reportOnce('GetRoomMembers', 'Members unavailable: ', error);
    }
    this.core.events.changed();
  }

  isOnline(user: string): boolean {
    return this.core.isMe(user) ? this.core.connected : this.online.has(user.toLowerCase());
  }

  setOnline(user: string, online: boolean): void {
    if (online) this.online.add(user.toLowerCase());
    else this.online.delete(user.toLowerCase());
    this.core.events.changed();
  }

  onMembership(name: string, user: string, joined: boolean): void {
    const room = this.core.rooms.get(name);
    if (!room?.members) return;
    room.members = room.members.filter(m => !same(m.userName, user));
    if (joined) room.members.push({ userName: user, online: true, isOwner: same(room.info.owner, user) });
    if (joined) this.online.add(user.toLowerCase());
    this.core.events.changed();
  }

  onTyping(name: string, user: string): void {
    const room = this.core.rooms.get(name);
    if (!room || this.core.isMe(user)) return;
    room.typing.set(user, Date.now() + typingShownMs);
    this.core.events.changed();
    setTimeout(() => this.core.events.changed(), typingShownMs + 50);
  }

  typingIn(name: string): string[] {
    const room = this.core.rooms.get(name);
    if (!room) return [];
    const now = Date.now();
    for (const [user, until] of room.typing) if (until <= now) room.typing.delete(user);
    return [...room.typing.keys()];
  }

  /** Tells others the user is typing, at most once every few seconds per room. */
  typing(name: string): void {
    const now = Date.now();
    if (!this.core.connected || now - (this.lastTypingSent.get(name) ?? 0) < typingThrottleMs) return;
    this.lastTypingSent.set(name, now);
    void this.core.background('SetTyping', name);
  }

  /**
   * Moves the read marker of the room on screen to its newest entry (soon, not on every message). A timer
   * already set is kept, not restarted: in a busy room messages come faster than the delay, and restarting
   * it on each one would never let the marker move.
   */
  scheduleMarkRead(): void {
    if (this.markReadTimer !== undefined) return;
    this.markReadTimer = window.setTimeout(() => {
      this.markReadTimer = undefined;
      this.markRead();
    }, 250);
  }

  private markRead(): void {
    const active = this.core.activeRoom;
    const room = active ? this.core.rooms.get(active) : undefined;
    if (!room || !room.loaded || !this.core.connected || document.visibilityState !== 'visible') return;
    const seq = room.lastAppliedSeq;
    if (room.info.unread || room.info.mentions) {
      room.info.unread = 0;
      room.info.mentions = 0;
      this.core.events.changed();
    }
    if (seq <= room.info.lastReadSeq) return;
    room.info.lastReadSeq = seq;
    void this.core.background('MarkRead', room.info.name, seq).then(answer => {
      const info = answer as RoomInfo | undefined;
      if (info?.name && this.core.rooms.get(info.name) === room) {
        room.info = { ...room.info, ...info, lastReadSeq: Math.max(info.lastReadSeq, room.info.lastReadSeq) };
        this.core.events.changed();
      }
    });
  }
}
