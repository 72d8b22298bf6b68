import { byId } from './dom';

/** Every element the page script uses, looked up once; index.html holds them all. */
export const loginView = byId('login-view');
export const chatView = byId('chat-view');
export const loginForm = byId<HTMLFormElement>('login-form');
export const loginUser = byId<HTMLInputElement>('login-user');
export const loginPassword = byId<HTMLInputElement>('login-password');
export const loginError = byId('login-error');
export const registerButton = byId<HTMLButtonElement>('register-submit');
export const statusEl = byId('connection-status');
export const banner = byId('banner-reconnecting');
export const meEl = byId('me');
export const sidebar = byId('sidebar');
export const sidebarToggle = byId<HTMLButtonElement>('sidebar-toggle');
export const roomList = byId('room-list');
export const dmList = byId('dm-list');
export const otherRoomList = byId('other-room-list');
export const roomTitle = byId('room-title');
export const roomSubtitle = byId('room-subtitle');
export const leaveButton = byId<HTMLButtonElement>('leave-room');
export const membersToggle = byId<HTMLButtonElement>('members-toggle');
export const membersPanel = byId('members-panel');
export const memberList = byId('member-list');
export const inviteForm = byId<HTMLFormElement>('invite-form');
export const scroller = byId('messages-scroll');
export const historyStatus = byId('history-status');
export const messageList = byId('messages');
export const typingEl = byId('typing');
export const composerForm = byId<HTMLFormElement>('composer-form');
export const composer = byId<HTMLTextAreaElement>('composer');
export const toasts = byId('toasts');

export function closeSidebarOnPhone(): void {
  sidebar.classList.remove('open');
  sidebarToggle.setAttribute('aria-expanded', 'false');
}
