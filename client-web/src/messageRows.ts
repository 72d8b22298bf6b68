import type { ChatClient, RoomState } from './chat';
import type { Row } from './messageView';
import type { ChatMessage } from './types';

/** Messages this close together from one sender read as one block: name and time once. */
const groupWithinMs = 5 * 60 * 1000;

/** The local calendar day of a time, as YYYY-MM-DD (the separator's key). */
export function dayOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function dayLabel(date: Date, now = new Date()): string {
  const today = dayOf(now);
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  const day = dayOf(date);
  if (day === today) return 'Today';
  if (day === dayOf(yesterday)) return 'Yesterday';
  return date.toLocaleDateString([], {
    weekday: 'long', month: 'long', day: 'numeric', year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric',
  });
}

/**
 * The rows of the room on screen: its messages in seq order with a separator before each day's first, a
 * message that follows its sender's previous one within a few minutes marked `continued`, then this
 * user's sends not yet in the log. A message that mentions this user always shows who wrote it.
 */
export function messageRows(c: ChatClient, room: RoomState): Row[] {
  const rows: Row[] = [];
  let previous: ChatMessage | null = null;
  let previousAt = 0;
  let currentDay = '';
  for (const seq of [...room.messages.keys()].sort((a, b) => a - b)) {
    const message = room.messages.get(seq)!; // the key comes from the map itself
    const at = new Date(message.sentAt);
    const day = Number.isNaN(at.getTime()) ? currentDay : dayOf(at);
    if (day && day !== currentDay) {
      rows.push({ day, label: dayLabel(at) });
      currentDay = day;
      previous = null;
    }
    const mentionsMe = !c.isMe(message.sender) && message.mentions.some(u => c.isMe(u));
    const continued = previous !== null && !mentionsMe && previous.sender.toLowerCase() === message.sender.toLowerCase()
      && at.getTime() - previousAt >= 0 && at.getTime() - previousAt <= groupWithinMs;
    rows.push({ message, continued });
    previous = message;
    previousAt = at.getTime();
  }
  const confirmed = new Set([...room.messages.values()].filter(m => c.isMe(m.sender)).map(m => m.clientMessageId));
  for (const item of c.outbox) {
    if (item.room === room.info.name && !confirmed.has(item.clientMessageId)) rows.push({ pending: item });
  }
  return rows;
}
