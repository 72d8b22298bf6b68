import type { ChatClient, RoomState } from './chat';
import { byId } from './dom';
import type { ChatMessage } from './types';

/**
 * Desktop notifications for mentions and direct messages while the tab is hidden. Permission is asked only
 * when the user presses the bell (browsers ignore or penalise a prompt on load), and the bell is gone once
 * they have answered.
 */

const bell = byId<HTMLButtonElement>('notify-toggle');
const supported = typeof Notification !== 'undefined';

function showBell(): void {
  bell.hidden = !supported || Notification.permission !== 'default';
}

export function wireNotifications(): void {
  showBell();
  bell.addEventListener('click', () => {
    if (!supported) return;
    void Notification.requestPermission().then(showBell, showBell);
  });
}

/** A live message someone else sent: worth a notification when it is for this user and they are not looking. */
export function notifyIncoming(c: ChatClient, room: RoomState, entry: ChatMessage): void {
  if (!supported || Notification.permission !== 'granted' || document.visibilityState !== 'hidden') return;
  const mentioned = entry.mentions?.some(u => c.isMe(u)) ?? false;
  if (!room.info.isDirect && !mentioned) return;
  const where = room.info.isDirect ? entry.sender : `${entry.sender} in # ${room.info.name}`;
  const note = new Notification(where, { body: entry.text.slice(0, 200), tag: `${room.info.name}:${entry.seq}` });
  note.onclick = () => {
    window.focus();
    void c.openRoom(room.info.name);
    note.close();
  };
}
