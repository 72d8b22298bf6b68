import './style.css';
import { ApiError, login, logout as endSession, refresh, register, TokenKeeper, type Session } from './api';
import { ChatClient, type OutboxItem, type RoomState } from './chat';
import { byId, h, reconcile, resetList } from './dom';
import type { ChatMessage } from './types';

const reactionChoices = ['👍', '❤️', '😂', '🎉', '😮', '👀'];

const loginView = byId('login-view');
const chatView = byId('chat-view');
const loginForm = byId<HTMLFormElement>('login-form');
const loginUser = byId<HTMLInputElement>('login-user');
const loginPassword = byId<HTMLInputElement>('login-password');
const loginError = byId('login-error');
const registerButton = byId<HTMLButtonElement>('register-submit');
const statusEl = byId('connection-status');
const banner = byId('banner-reconnecting');
const meEl = byId('me');
const sidebar = byId('sidebar');
const sidebarToggle = byId<HTMLButtonElement>('sidebar-toggle');
const roomList = byId('room-list');
const dmList = byId('dm-list');
const otherRoomList = byId('other-room-list');
const roomTitle = byId('room-title');
const roomSubtitle = byId('room-subtitle');
const leaveButton = byId<HTMLButtonElement>('leave-room');
const membersToggle = byId<HTMLButtonElement>('members-toggle');
const membersPanel = byId('members-panel');
const memberList = byId('member-list');
const inviteForm = byId<HTMLFormElement>('invite-form');
const scroller = byId('messages-scroll');
const historyStatus = byId('history-status');
const messageList = byId('messages');
const typingEl = byId('typing');
const composerForm = byId<HTMLFormElement>('composer-form');
const composer = byId<HTMLTextAreaElement>('composer');
const toasts = byId('toasts');

let client: ChatClient | null = null;
/** The message being edited, if any: its room and seq. */
let editing: { room: string; seq: number } | null = null;
/** The message whose reaction picker is open. */
let pickerFor: { room: string; seq: number } | null = null;
let renderedRoom: string | null = null;
let renderQueued = false;

// ------------------------------------------------------------------ session

function showLogin(message = ''): void {
  chatView.hidden = true;
  loginView.hidden = false;
  loginError.textContent = message;
  (loginUser.value ? loginPassword : loginUser).focus();
}

function startChat(session: Session): void {
  loginView.hidden = true;
  chatView.hidden = false;
  meEl.textContent = session.userName;
  renderedRoom = null;
  resetList(messageList);
  client = new ChatClient(new TokenKeeper(session), {
    changed: scheduleRender,
    toast,
    unauthorized: () => void logout('Your session has ended; log in again.', false),
  });
  client.start();
  scheduleRender();
  composer.focus();
}

async function logout(message = '', tellServer = true): Promise<void> {
  const current = client;
  client = null;
  await current?.stop();
  if (tellServer) await endSession(current?.tokens.session ?? null);
  for (const list of [roomList, dmList, otherRoomList, messageList, memberList]) resetList(list);
  loginPassword.value = '';
  showLogin(message);
}

async function submitCredentials(andRegister: boolean): Promise<void> {
  const userName = loginUser.value.trim();
  const password = loginPassword.value;
  if (!userName || !password) {
    loginError.textContent = 'Enter a user name and a password.';
    return;
  }
  loginError.textContent = '';
  for (const b of loginForm.querySelectorAll('button')) b.disabled = true;
  try {
    if (andRegister) await register(userName, password);
    startChat(await login(userName, password));
  } catch (error) {
    loginError.textContent =
      error instanceof ApiError ? error.message : 'The server cannot be reached. Is it running?';
  } finally {
    for (const b of loginForm.querySelectorAll('button')) b.disabled = false;
  }
}

loginForm.addEventListener('submit', e => {
  e.preventDefault();
  void submitCredentials(false);
});
registerButton.addEventListener('click', () => void submitCredentials(true));
byId('logout').addEventListener('click', () => void logout());

// ------------------------------------------------------------------ toasts

function toast(message: string): void {
  const el = h('div', { class: 'toast', role: 'alert', 'data-testid': 'toast' },
    h('span', { text: message }),
    h('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
  toasts.append(el);
  while (toasts.children.length > 4) toasts.firstElementChild?.remove();
  setTimeout(() => el.remove(), 6000);
}

// ------------------------------------------------------------------ rendering

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render(): void {
  const c = client;
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
}

function roomLabel(room: RoomState): string {
  return room.info.isDirect ? (room.info.directWith ?? room.info.name) : `# ${room.info.name}`;
}

function renderSidebar(c: ChatClient): void {
  const all = [...c.rooms.values()].sort((a, b) => roomLabel(a).localeCompare(roomLabel(b)));
  const item = (room: RoomState) => {
    const active = room.info.name === c.activeRoom;
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
        room.info.mentions > 0 ? h('span', { class: 'badge mention', 'data-testid': 'mention-badge', 'aria-label': `${room.info.mentions} mentions`, text: `@${room.info.mentions}` }) : null,
        room.info.unread > 0 ? h('span', { class: 'badge', 'data-testid': 'unread-badge', 'aria-label': `${room.info.unread} unread`, text: String(room.info.unread) }) : null,
      ));
  };
  const sig = (room: RoomState) =>
    [room.info.name === c.activeRoom, room.info.unread, room.info.mentions, room.info.directWith && c.isOnline(room.info.directWith), room.info.isPrivate].join('|');
  const members = all.filter(r => r.info.isMember);
  reconcile(roomList, members.filter(r => !r.info.isDirect), r => r.info.name, sig, item);
  reconcile(dmList, members.filter(r => r.info.isDirect), r => r.info.name, sig, item);
  reconcile(otherRoomList, all.filter(r => !r.info.isMember && !r.info.isDirect), r => r.info.name, () => '',
    room => h('li', { 'data-testid': 'other-room', 'data-room': room.info.name },
      h('span', { class: 'name', text: `# ${room.info.name}` }),
      h('button', { type: 'button', 'aria-label': `Join ${room.info.name}`, onclick: () => void c.joinRoom(room.info.name).catch(() => undefined) }, 'Join')));
}

function renderRoom(c: ChatClient): void {
  const room = c.activeRoom ? c.rooms.get(c.activeRoom) : undefined;
  const switched = renderedRoom !== (room?.info.name ?? null);
  if (switched) {
    renderedRoom = room?.info.name ?? null;
    editing = null;
    pickerFor = null;
    resetList(messageList);
  }
  roomTitle.textContent = room ? roomLabel(room) : c.roomsListed ? 'No room' : 'Loading…';
  roomSubtitle.textContent = room?.info.isArchived
    ? 'archived: read only'
    : room?.info.isDirect ? 'direct message' : room?.info.isPrivate ? 'private room' : '';
  leaveButton.hidden = !room || !room.info.isMember || room.info.isDirect;
  composer.disabled = !room?.info.isMember || room.info.isArchived;
  byId<HTMLButtonElement>('send').disabled = !room?.info.isMember;

  // Where the reader is, so new messages keep them at the bottom and older ones do not move the view.
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  const before = { height: scroller.scrollHeight, top: scroller.scrollTop, first: messageList.firstElementChild };

  const rows: Row[] = [];
  if (room) {
    for (const seq of [...room.messages.keys()].sort((a, b) => a - b)) rows.push({ message: room.messages.get(seq)! }); // key from the map itself
    const confirmed = new Set([...room.messages.values()].filter(m => c.isMe(m.sender)).map(m => m.clientMessageId));
    for (const item of c.outbox) {
      if (item.room === room.info.name && !confirmed.has(item.clientMessageId)) rows.push({ pending: item });
    }
  }
  reconcile(messageList, rows, rowKey, row => rowSignature(c, row), row => buildRow(c, row));

  historyStatus.textContent = !room ? '' : !room.loaded ? 'Loading messages…' : room.loadingOlder ? 'Loading older messages…'
    : room.hasMore ? '' : room.messages.size ? 'This is the beginning of the room.' : 'No messages yet. Say hello!';

  if (switched || (atBottom && !editing)) scroller.scrollTop = scroller.scrollHeight;
  else if (before.first && messageList.firstElementChild !== before.first) {
    scroller.scrollTop = before.top + (scroller.scrollHeight - before.height);
  }

  const typing = room ? c.typingIn(room.info.name) : [];
  typingEl.textContent = typing.length === 0 ? '' : typing.length === 1 ? `${typing[0]} is typing…`
    : typing.length <= 3 ? `${typing.join(', ')} are typing…` : 'Several people are typing…';

  renderMembers(c, room);

  if (room?.loaded && room.info.unread > 0) c.scheduleMarkRead();
  // A short room leaves no scroll bar to pull on: fetch older pages until there is one.
  if (room?.loaded && room.hasMore && !room.loadingOlder && scroller.scrollHeight <= scroller.clientHeight + 8) {
    void c.loadOlder(room.info.name);
  }
}

type Row = { message: ChatMessage; pending?: undefined } | { pending: OutboxItem; message?: undefined };

const rowKey = (row: Row) => (row.message ? `m${row.message.seq}` : `p${row.pending!.clientMessageId}`);

function rowSignature(c: ChatClient, row: Row): string {
  if (row.pending) return `p|${row.pending.sending}|${row.pending.failed ?? ''}`;
  const m = row.message!;
  const open = (s: typeof editing) => s?.room === m.room && s.seq === m.seq;
  return JSON.stringify([m.text, m.deleted, m.editedAt, m.reactions, open(editing), open(pickerFor), c.isMe(m.sender)]);
}

function buildRow(c: ChatClient, row: Row): HTMLElement {
  return row.pending ? buildPending(c, row.pending) : buildMessage(c, row.message!);
}

function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function buildPending(c: ChatClient, item: OutboxItem): HTMLElement {
  return h('li', { class: `message own pending${item.failed ? ' failed' : ''}`, 'data-testid': 'message', 'data-pending': 'true', 'data-client-id': item.clientMessageId, 'data-sender': c.me },
    h('div', { class: 'meta' },
      h('span', { class: 'sender', text: c.me }),
      h('span', { class: 'state', 'data-testid': 'message-state', text: item.failed ? `Not sent: ${item.failed}` : 'sending…' })),
    h('div', { class: 'text', 'data-testid': 'message-text', text: item.text }),
    item.failed
      ? h('div', { class: 'actions visible' },
        h('button', { type: 'button', onclick: () => c.retry(item.clientMessageId) }, 'Retry'),
        h('button', { type: 'button', onclick: () => c.discard(item.clientMessageId) }, 'Discard'))
      : null);
}

function buildMessage(c: ChatClient, m: ChatMessage): HTMLElement {
  const own = c.isMe(m.sender);
  const mentioned = !own && m.mentions.some(u => c.isMe(u));
  const isEditing = editing?.room === m.room && editing.seq === m.seq;
  const li = h('li', {
    class: ['message', own && 'own', mentioned && 'mentioned', m.deleted && 'deleted'].filter(Boolean).join(' '),
    'data-testid': 'message', 'data-seq': m.seq, 'data-sender': m.sender, 'data-client-id': m.clientMessageId,
  },
    h('div', { class: 'meta' },
      h('span', { class: 'sender', text: m.sender }),
      h('time', { datetime: m.sentAt, text: time(m.sentAt) }),
      m.editedAt && !m.deleted ? h('span', { class: 'edited', 'data-testid': 'edited', text: '(edited)' }) : null),
  );

  if (m.deleted) {
    li.append(h('div', { class: 'text', 'data-testid': 'message-text', text: 'This message was deleted.' }));
    return li;
  }
  if (isEditing) {
    li.append(buildEditor(c, m));
    return li;
  }
  li.append(h('div', { class: 'text', 'data-testid': 'message-text', text: m.text }));

  const reactions = h('div', { class: 'reactions' });
  for (const r of m.reactions) {
    const mine = r.mine;
    const who = mine ? (r.count > 1 ? `you and ${r.count - 1} more` : 'you') : `${r.count}`;
    reactions.append(h('button', {
      type: 'button', class: mine ? 'reaction mine' : 'reaction', 'data-testid': 'reaction', 'data-emoji': r.emoji,
      'aria-pressed': mine ? 'true' : 'false', title: who, 'aria-label': `${r.emoji} ${r.count}, by ${who}`,
      onclick: () => void c.react(m.room, m.seq, r.emoji).catch(() => undefined),
    }, `${r.emoji} ${r.count}`));
  }
  if (m.reactions.length) li.append(reactions);

  const pickerOpen = pickerFor?.room === m.room && pickerFor.seq === m.seq;
  const actions = h('div', { class: pickerOpen ? 'actions visible' : 'actions' },
    h('button', {
      type: 'button', 'data-testid': 'react', 'aria-expanded': pickerOpen ? 'true' : 'false', 'aria-label': 'Add a reaction',
      onclick: () => {
        pickerFor = pickerOpen ? null : { room: m.room, seq: m.seq };
        scheduleRender();
      },
    }, '☺+'),
    own ? h('button', { type: 'button', 'data-testid': 'edit', onclick: () => startEditing(m) }, 'Edit') : null,
    own ? h('button', {
      type: 'button', 'data-testid': 'delete',
      onclick: () => {
        if (confirm('Delete this message?')) void c.remove(m.room, m.seq).catch(() => undefined);
      },
    }, 'Delete') : null);
  if (pickerOpen) {
    const picker = h('div', { class: 'picker', role: 'group', 'aria-label': 'Reactions' });
    for (const emoji of reactionChoices) {
      picker.append(h('button', {
        type: 'button', 'data-testid': 'pick-reaction', 'data-emoji': emoji, 'aria-label': `React ${emoji}`,
        onclick: () => {
          pickerFor = null;
          scheduleRender();
          void c.react(m.room, m.seq, emoji).catch(() => undefined);
        },
      }, emoji));
    }
    actions.append(picker);
  }
  li.append(actions);
  return li;
}

function startEditing(m: ChatMessage): void {
  editing = { room: m.room, seq: m.seq };
  pickerFor = null;
  scheduleRender();
  requestAnimationFrame(() => requestAnimationFrame(() => messageList.querySelector<HTMLTextAreaElement>('textarea.editor')?.focus()));
}

function buildEditor(c: ChatClient, m: ChatMessage): HTMLElement {
  const area = h('textarea', { class: 'editor', 'data-testid': 'edit-text', 'aria-label': 'Edit message', rows: 2, maxlength: 4000 });
  area.value = m.text;
  const save = () => {
    const text = area.value.trim();
    editing = null;
    scheduleRender();
    if (text && text !== m.text) void c.edit(m.room, m.seq, text).catch(() => undefined);
  };
  const cancel = () => {
    editing = null;
    scheduleRender();
    composer.focus();
  };
  area.addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      save();
    } else if (e.key === 'Escape') cancel();
  });
  return h('div', { class: 'edit-box' }, area,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary', 'data-testid': 'edit-save', onclick: save }, 'Save'),
      h('button', { type: 'button', onclick: cancel }, 'Cancel')));
}

function renderMembers(c: ChatClient, room: RoomState | undefined): void {
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

// ------------------------------------------------------------------ interactions

function sendFromComposer(): void {
  const c = client;
  const room = c?.activeRoom;
  const text = composer.value.trim();
  if (!c || !room || !text) return;
  c.send(room, text);
  composer.value = '';
  autoGrow();
  scroller.scrollTop = scroller.scrollHeight;
}

function autoGrow(): void {
  composer.style.height = 'auto';
  composer.style.height = `${Math.min(composer.scrollHeight, 160)}px`;
}

composerForm.addEventListener('submit', e => {
  e.preventDefault();
  sendFromComposer();
  composer.focus();
});
composer.addEventListener('keydown', e => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    sendFromComposer();
  }
});
composer.addEventListener('input', () => {
  autoGrow();
  if (client?.activeRoom && composer.value.trim()) client.typing(client.activeRoom);
});

scroller.addEventListener('scroll', () => {
  if (client?.activeRoom && scroller.scrollTop < 120) void client.loadOlder(client.activeRoom);
}, { passive: true });

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') client?.scheduleMarkRead();
});

leaveButton.addEventListener('click', () => {
  const c = client;
  if (c?.activeRoom) void c.leaveRoom(c.activeRoom).catch(() => undefined);
});

function formAction(formId: string, inputId: string, action: (c: ChatClient, value: string) => Promise<void>): void {
  const form = byId<HTMLFormElement>(formId);
  const input = byId<HTMLInputElement>(inputId);
  form.addEventListener('submit', e => {
    e.preventDefault();
    const c = client;
    const value = input.value.trim();
    if (!c || !value) return;
    action(c, value).then(() => {
      input.value = '';
      closeSidebarOnPhone();
    }, () => undefined);
  });
}

formAction('dm-form', 'dm-user', (c, user) => c.openDirect(user));
formAction('create-room-form', 'new-room', (c, name) => c.createRoom(name, byId<HTMLInputElement>('new-room-private').checked));
formAction('join-room-form', 'join-room', (c, name) => c.joinRoom(name));
formAction('invite-form', 'invite-user', (c, user) => (c.activeRoom ? c.invite(c.activeRoom, user) : Promise.resolve()));

membersToggle.addEventListener('click', () => {
  membersPanel.hidden = !membersPanel.hidden;
  membersToggle.setAttribute('aria-expanded', String(!membersPanel.hidden));
  if (!membersPanel.hidden && client?.activeRoom) void client.loadMembers(client.activeRoom);
});

sidebarToggle.addEventListener('click', () => {
  const open = !sidebar.classList.contains('open');
  sidebar.classList.toggle('open', open);
  sidebarToggle.setAttribute('aria-expanded', String(open));
});

function closeSidebarOnPhone(): void {
  sidebar.classList.remove('open');
  sidebarToggle.setAttribute('aria-expanded', 'false');
}

document.addEventListener('keydown', e => {
  if (e.key !== 'Escape') return;
  if (pickerFor) {
    pickerFor = null;
    scheduleRender();
  }
  closeSidebarOnPhone();
});

// Members are shown beside the messages on wide screens from the start.
if (window.matchMedia('(min-width: 1100px)').matches) {
  membersPanel.hidden = false;
  membersToggle.setAttribute('aria-expanded', 'true');
}

// ------------------------------------------------------------------ start

// A reload keeps the user logged in: the HttpOnly refresh cookie buys a new access token, which only this page's memory holds.
refresh().then(startChat, () => showLogin());
