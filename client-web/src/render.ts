import type { ChatClient, RoomState } from './chat';
import { h, reconcile, resetList, byId } from './dom';
import {
  banner,
  closeSidebarOnPhone,
  composer,
  dmList,
  historyStatus,
  inviteForm,
  leaveButton,
  memberList,
  membersToggle,
  messageList,
  roomList,
  roomSubtitle,
  roomTitle,
  scroller,
  statusEl,
  typingEl,
} from './elements';
import { naturalCompare, renderDirectory, renderTopic } from './directory';
import { renderRoomActions } from './roomActions';
import { messageRows } from './messageRows';
import { buildRow, rowKey, rowSignature, type Row } from './messageView';
import { roomChanged } from './panels';
import { renderComposerExtras } from './replies';
import { view } from './viewState';

/** Draws the client's state: connection status, the sidebar, the room on screen and its members. */

export function render(): void {
  const c = view.client;
  if (!c) return;
  const labels = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…', stopped: 'Offline' };
  statusEl.textContent = labels[c.status];
  statusEl.dataset.state = c.status;
  banner.hidden = c.status === 'connected' || c.status === 'stopped';
  banner.textContent = c.status === 'connecting'
    ? 'Connecting…'
    : 'Reconnecting… Messages you send now are kept and sent when the connection is back.';
  renderSidebar(c);
  renderRoom(c);
  renderTitle(c);
}

/** The tab's title counts what is unread in every room, so a background tab shows it. */
export function renderTitle(c: ChatClient): void {
  let unread = 0;
  for (const room of c.rooms.values()) if (room.info.isMember && !readingNow(c, room)) unread += room.info.unread;
  document.title = unread > 0 ? `(${unread}) ChatApp` : 'ChatApp';
}

/** The room on screen, loaded, in a visible tab: what arrives there is read as it comes, so it shows no count. */
function readingNow(c: ChatClient, room: RoomState): boolean {
  return room.info.name === c.activeRoom && room.loaded && document.visibilityState === 'visible';
}

export function roomLabel(room: RoomState): string {
  return room.info.isDirect ? (room.info.directWith ?? room.info.name) : `# ${room.info.name}`;
}

export function renderSidebar(c: ChatClient): void {
  const all = [...c.rooms.values()].sort((a, b) => naturalCompare(roomLabel(a), roomLabel(b)));
  const item = (room: RoomState) => {
    const active = room.info.name === c.activeRoom;
    const reading = readingNow(c, room);
    const other = room.info.directWith;
    return h('li', { 'data-testid': 'room-item', 'data-room': room.info.name, 'data-direct': room.info.isDirect ? 'true' : null, class: active ? 'active' : null },
      h('button', {
        type: 'button',
        'aria-current': active ? 'page' : null,
        onclick: () => {
          closeSidebarOnPhone();
          void c.openRoom(room.info.name);
        },
      },
        room.info.isDirect && other
          ? h('span', { class: c.isOnline(other) ? 'dot online' : 'dot', 'aria-label': c.isOnline(other) ? 'online' : 'offline' })
          : null,
        h('span', { class: 'name', text: roomLabel(room) }),
        room.info.isPrivate && !room.info.isDirect ? h('span', { class: 'lock', 'aria-label': 'private', text: '🔒' }) : null,
        room.info.mentions > 0 && !reading
          ? h('span', { class: 'badge mention', 'data-testid': 'mention-badge', 'aria-label': `${room.info.mentions} mentions`, title: `${room.info.mentions} unread messages mention you`, text: `@${room.info.mentions}` })
          : null,
        room.info.unread > 0 && !reading ? h('span', { class: 'badge', 'data-testid': 'unread-badge', 'aria-label': `${room.info.unread} unread`, text: String(room.info.unread) }) : null,
      ));
  };
  const sig = (room: RoomState) =>
    [room.info.name === c.activeRoom, readingNow(c, room), room.info.unread, room.info.mentions, room.info.directWith && c.isOnline(room.info.directWith), room.info.isPrivate].join('|');
  const members = all.filter(r => r.info.isMember);
  reconcile(roomList, members.filter(r => !r.info.isDirect), r => r.info.name, sig, item);
  reconcile(dmList, members.filter(r => r.info.isDirect), r => r.info.name, sig, item);
  renderDirectory(c);
}

export function renderRoom(c: ChatClient): void {
  const room = c.activeRoom ? c.rooms.get(c.activeRoom) : undefined;
  const switched = view.renderedRoom !== (room?.info.name ?? null);
  if (switched) {
    view.renderedRoom = room?.info.name ?? null;
    view.editing = null;
    view.pickerFor = null;
    view.fullPicker = false;
    resetList(messageList);
    roomChanged();
  }
  roomTitle.textContent = room ? roomLabel(room) : c.roomsListed ? 'No room' : 'Loading…';
  roomSubtitle.textContent = room?.info.isArchived
    ? 'archived: read only'
    : room?.info.isDirect ? 'direct message' : room?.info.isPrivate ? 'private room' : '';
  renderTopic(c, room);
  leaveButton.hidden = !room || !room.info.isMember || room.info.isDirect;
  composer.disabled = !room?.info.isMember || room.info.isArchived;
  // Why it is disabled, where the reader looks for it; otherwise the hint main.ts chose for the screen width.
  composer.placeholder = room?.info.isArchived ? 'This room is archived: read only' : composer.dataset.hint ?? composer.placeholder;
  renderRoomActions(c, room);
  byId<HTMLButtonElement>('send').disabled = !room?.info.isMember;

  // Where the reader is, so new messages keep them at the bottom and older ones do not move the view.
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  const before = { height: scroller.scrollHeight, top: scroller.scrollTop, first: messageList.firstElementChild };

  const rows: Row[] = room ? messageRows(c, room) : [];
  reconcile(messageList, rows, rowKey, row => rowSignature(c, row), row => buildRow(c, row));

  historyStatus.textContent = !room ? '' : !room.loaded ? 'Loading messages…' : room.loadingOlder ? 'Loading older messages…'
    : room.hasMore ? '' : room.messages.size ? 'This is the beginning of the room.' : 'No messages yet. Say hello!';

  if (switched || (atBottom && !view.editing)) scroller.scrollTop = scroller.scrollHeight;
  else if (before.first && messageList.firstElementChild !== before.first) {
    scroller.scrollTop = before.top + (scroller.scrollHeight - before.height);
  }

  const typing = room ? c.typingIn(room.info.name) : [];
  typingEl.textContent = typing.length === 0 ? '' : typing.length === 1 ? `${typing[0]} is typing…`
    : typing.length <= 3 ? `${typing.join(', ')} are typing…` : 'Several people are typing…';

  renderMembers(c, room);
  renderComposerExtras(c);

  if (room?.loaded && room.info.unread > 0) c.scheduleMarkRead();
  // A short room leaves no scroll bar to pull on: fetch older pages until there is one.
  if (room?.loaded && room.hasMore && !room.loadingOlder && scroller.scrollHeight <= scroller.clientHeight + 8) {
    void c.loadOlder(room.info.name);
  }
}

export function renderMembers(c: ChatClient, room: RoomState | undefined): void {
  const members = room?.members ?? [];
  const sorted = [...members].sort((a, b) =>
    Number(c.isOnline(b.userName)) - Number(c.isOnline(a.userName)) || a.userName.localeCompare(b.userName));
  reconcile(memberList, sorted, m => m.userName.toLowerCase(), m => `${c.isOnline(m.userName)}|${m.isOwner}`, m => {
    const online = c.isOnline(m.userName);
    return h('li', { 'data-testid': 'member', 'data-user': m.userName, 'data-online': online ? 'true' : 'false' },
      h('span', { class: online ? 'dot online' : 'dot', 'aria-hidden': 'true' }),
      h('span', { class: 'name', text: m.userName }),
      m.isOwner ? h('span', { class: 'owner', text: 'owner' }) : null,
      h('span', { class: 'visually-hidden', text: online ? ' (online)' : ' (offline)' }),
      !c.isMe(m.userName) && room && !room.info.isDirect
        ? h('button', { type: 'button', class: 'link', 'aria-label': `Message ${m.userName}`, onclick: () => void c.openDirect(m.userName).catch(() => undefined) }, 'DM')
        : null);
  });
  membersToggle.textContent = room?.members ? `Members (${room.members.filter(m => c.isOnline(m.userName)).length}/${room.members.length})` : 'Members';
  inviteForm.hidden = !room || !room.info.isPrivate || room.info.isDirect || !c.isMe(room.info.owner);
}
