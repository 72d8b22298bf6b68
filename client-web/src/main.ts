import './style.css';
import './webfeat.css';
import { refresh } from './api';
import { hasAttachments, initAttachments, uploadsPending } from './attachments';
import type { ChatClient } from './chat';
import { byId } from './dom';
import {
  closeSidebarOnPhone,
  composer,
  composerForm,
  leaveButton,
  loginForm,
  registerButton,
  scroller,
} from './elements';
import { wireNotifications } from './notifications';
import { wirePanels } from './panels';
import { render } from './render';
import { takeComposerExtras } from './replies';
import { initSearch } from './search';
import { showLogin, startChat, submitCredentials, logout } from './session';
import { scheduleRender, setRenderer, view } from './viewState';

/** The page script: wires the login form, composer, sidebar and panels to the session and the chat client. */

setRenderer(render);

loginForm.addEventListener('submit', e => {
  e.preventDefault();
  void submitCredentials(false);
});
registerButton.addEventListener('click', () => void submitCredentials(true));
byId('logout').addEventListener('click', () => void logout());

// ------------------------------------------------------------------ interactions

function sendFromComposer(): void {
  const c = view.client;
  const room = c?.activeRoom;
  const text = composer.value.trim();
  if (!c || !room) return;
  if (uploadsPending()) {
    c.events.toast('Wait for the upload to finish, then send.');
    return;
  }
  if (!text && !hasAttachments(room)) return;
  c.send(room, text, takeComposerExtras(room));
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
  if (view.client?.activeRoom && composer.value.trim()) view.client.typing(view.client.activeRoom);
});

scroller.addEventListener('scroll', () => {
  if (view.client?.activeRoom && scroller.scrollTop < 120) void view.client.loadOlder(view.client.activeRoom);
}, { passive: true });

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') view.client?.scheduleMarkRead();
  scheduleRender(); // the tab title and the open room's badge depend on whether the tab is seen
});

leaveButton.addEventListener('click', () => {
  const c = view.client;
  if (c?.activeRoom) void c.leaveRoom(c.activeRoom).catch(() => undefined);
});

function formAction(formId: string, inputId: string, action: (c: ChatClient, value: string) => Promise<void>): void {
  const form = byId<HTMLFormElement>(formId);
  const input = byId<HTMLInputElement>(inputId);
  form.addEventListener('submit', e => {
    e.preventDefault();
    const c = view.client;
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

wirePanels();
wireNotifications();

document.addEventListener('keydown', e => {
  if (e.key !== 'Escape' || !view.pickerFor) return;
  view.pickerFor = null;
  view.fullPicker = false;
  scheduleRender();
});

// The long hint does not fit a phone's composer; there the placeholder says less.
const narrow = window.matchMedia('(max-width: 520px)');
const placeComposerHint = () => {
  composer.dataset.hint = narrow.matches ? 'Message' : 'Message (Enter sends, Shift+Enter for a new line)';
  composer.placeholder = composer.dataset.hint;
  scheduleRender(); // an archived room's composer keeps saying so
};
narrow.addEventListener('change', placeComposerHint);
placeComposerHint();

// Search, and attachments in the composer (issue #13).
initSearch(() => view.client);
initAttachments(() => view.client);

// ------------------------------------------------------------------ start

// A reload keeps the user logged in: the HttpOnly refresh cookie buys a new access token, which only this page's memory holds.
refresh().then(startChat, () => showLogin());
