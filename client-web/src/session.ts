import { ApiError, login, logout as endSession, register, TokenKeeper, type Session } from './api';
import { ChatClient } from './chat';
import { resetList } from './dom';
import {
  chatView,
  composer,
  dmList,
  loginError,
  loginForm,
  loginPassword,
  loginUser,
  loginView,
  meEl,
  memberList,
  messageList,
  otherRoomList,
  roomList,
} from './elements';
import { notifyIncoming } from './notifications';
import { toast } from './toast';
import { scheduleRender, view } from './viewState';

/** Logging in and out: the login view, and starting or stopping the chat client for a session. */

export function showLogin(message = ''): void {
  chatView.hidden = true;
  loginView.hidden = false;
  loginError.textContent = message;
  (loginUser.value ? loginPassword : loginUser).focus();
}

export function startChat(session: Session): void {
  loginView.hidden = true;
  chatView.hidden = false;
  meEl.textContent = session.userName;
  view.renderedRoom = null;
  resetList(messageList);
  view.client = new ChatClient(new TokenKeeper(session), {
    changed: scheduleRender,
    toast,
    unauthorized: () => void logout('Your session has ended; log in again.', false),
    incoming: (room, entry) => {
      if (view.client) notifyIncoming(view.client, room, entry);
    },
  });
  view.client.start();
  scheduleRender();
  composer.focus();
}

export async function logout(message = '', tellServer = true): Promise<void> {
  const current = view.client;
  view.client = null;
  await current?.stop();
  if (tellServer) await endSession(current?.tokens.session ?? null);
  for (const list of [roomList, dmList, otherRoomList, messageList, memberList]) resetList(list);
  loginPassword.value = '';
  document.title = 'ChatApp'; // no counts of a session that is over
  showLogin(message);
}

export async function submitCredentials(andRegister: boolean): Promise<void> {
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
