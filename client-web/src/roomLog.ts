import { userMessage, withLists, type ChatCore, type RoomState } from './chatModel';
import type { ChatMessage, HistoryPage } from './types';

const historyPageSize = 50;

/** What the room log tells the rest of the client; the outbox listens to ownMessageLogged. */
export interface RoomLogHooks {
  /** A message of this user's is in the log now, so its outbox entry is done. */
  ownMessageLogged(clientMessageId: string): void;
  /** A live entry arrived in the room on screen. */
  activeRoomMoved(): void;
  /** A live entry for a room this client does not know yet. */
  unknownRoom(): void;
}

/**
 * Each room's log as the client knows it: live entries in seq order, catch-up after a (re)connect or a
 * gap, and older history pages. Entries are applied idempotently, so a replay changes nothing.
 */
export class RoomLog {
  constructor(private readonly core: ChatCore, private readonly hooks: RoomLogHooks) {}

  /** Whether the room's messages are on screen right now (so they count as read). */
  viewing(room: RoomState): boolean {
    return room.loaded && document.visibilityState === 'visible';
  }

  onLiveEntry(entry: ChatMessage): void {
    const room = this.core.rooms.get(entry.room);
    if (!room) {
      this.hooks.unknownRoom();
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
      this.core.events.changed();
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
    this.core.events.changed();
  }

  /** Shows an acknowledged send in place; lastAppliedSeq moves only with the log, so nothing before it is skipped. */
  showAcknowledged(ack: ChatMessage): void {
    const room = this.core.rooms.get(ack.room);
    if (room?.loaded && !room.messages.has(ack.seq)) room.messages.set(ack.seq, withLists(ack));
  }

  /** Unread and mention counts for entries that arrive live (catch-up leaves them to ListRooms). */
  private count(room: RoomState, entry: ChatMessage): void {
    if (entry.kind !== 'message' || this.core.isMe(entry.sender)) return;
    if (room.info.name === this.core.activeRoom && this.viewing(room)) return;
    room.info.unread += 1;
    if (entry.mentions?.some(m => this.core.isMe(m))) room.info.mentions += 1;
    this.core.events.incoming(room, entry);
  }

  private apply(room: RoomState, entry: ChatMessage, live: boolean): void {
    if (entry.seq <= room.lastAppliedSeq) return;
    this.applyState(room, entry);
    room.lastAppliedSeq = entry.seq;
    room.info.lastSeq = Math.max(room.info.lastSeq, entry.seq);
    if (live) {
      this.count(room, entry);
      if (entry.kind === 'message') room.typing.delete(entry.sender);
      if (room.info.name === this.core.activeRoom) this.hooks.activeRoomMoved();
    }
  }

  /** Applies one entry to the messages shown; idempotent, so a replay changes nothing. */
  private applyState(room: RoomState, entry: ChatMessage): void {
    if (entry.kind === 'message' || !entry.kind) {
      room.messages.set(entry.seq, { ...withLists(entry), kind: 'message' });
      if (this.core.isMe(entry.sender)) this.hooks.ownMessageLogged(entry.clientMessageId);
      return;
    }
    const target = entry.targetSeq == null ? undefined : room.messages.get(entry.targetSeq);
    if (!target) return; // older than what is loaded: history will show it as it is now
    switch (entry.kind) {
      case 'edit':
        // An edit carries the message's mentions after it (docs/protocol.md), so the highlight follows the text.
        room.messages.set(target.seq, { ...target, text: entry.text, editedAt: entry.editedAt ?? entry.sentAt, mentions: entry.mentions ?? target.mentions });
        break;
      case 'delete':
        room.messages.set(target.seq, { ...target, text: '', deleted: true, reactions: [] });
        break;
      case 'reaction': {
        // Counts are the message's now; "mine" is the sender's on a live event, so someone else's
        // reaction keeps this user's own marks as they were (on a replay they are this user's anyway).
        const counts = entry.reactions ?? [];
        if (this.core.isMe(entry.sender)) {
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
    const room = this.core.rooms.get(name);
    if (!room) return Promise.resolve();
    if (room.catchUp && room.catchUp.generation === this.core.generation) return room.catchUp.done;
    room.syncing = true;
    const run = { generation: this.core.generation, done: Promise.resolve() };
    run.done = (async () => {
      try {
        for (let pass = 0; pass < 3; pass++) {
          if (!room.loaded) {
            const page = await this.core.connection.invoke<HistoryPage>('GetHistory', name, null, historyPageSize);
            for (const m of page.messages) this.applyState(room, m);
            room.lastAppliedSeq = page.messages.reduce((max, m) => Math.max(max, m.seq), 0);
            room.hasMore = page.hasMore;
            room.loaded = true;
          }
          await this.streamSince(room);
          if (!this.applyBuffered(room)) break;
        }
      } catch (error) {
        if (this.core.connected) this.core.events.toast(`Could not load '${name}': ${userMessage(error)}`);
      } finally {
        if (room.catchUp === run) {
          room.catchUp = null;
          // A dropped connection leaves the room syncing: the next connect catches it up.
          if (this.core.connected) room.syncing = false;
        }
        this.core.events.changed();
      }
    })();
    room.catchUp = run;
    return run.done;
  }

  /** Applies the live entries buffered during catch-up; true when a gap is left (another pass needed). */
  private applyBuffered(room: RoomState): boolean {
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
    return gap;
  }

  private streamSince(room: RoomState): Promise<void> {
    return new Promise((resolve, reject) => {
      this.core.connection.stream<ChatMessage>('StreamMessagesSince', room.info.name, room.lastAppliedSeq).subscribe({
        next: entry => this.apply(room, entry, false),
        complete: () => resolve(),
        error: error => reject(error),
      });
    });
  }

  async loadOlder(name: string): Promise<void> {
    const room = this.core.rooms.get(name);
    if (!room || !room.loaded || !room.hasMore || room.loadingOlder || !this.core.connected) return;
    const oldest = Math.min(...room.messages.keys());
    if (!Number.isFinite(oldest)) return;
    room.loadingOlder = true;
    this.core.events.changed();
    try {
      const page = await this.core.connection.invoke<HistoryPage>('GetHistory', name, oldest, historyPageSize);
      for (const m of page.messages) {
        if (!room.messages.has(m.seq)) room.messages.set(m.seq, withLists(m));
      }
      room.hasMore = page.hasMore;
    } catch (error) {
      if (this.core.connected) this.core.events.toast(userMessage(error));
    } finally {
      room.loadingOlder = false;
      this.core.events.changed();
    }
  }
}
