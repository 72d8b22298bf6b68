import {
  closeSidebarOnPhone,
  membersPanel,
  membersToggle,
  sidebar,
  sidebarToggle,
} from './elements';
import { view } from './viewState';

/**
 * The two panels that lie over the messages on small screens: the sidebar (phones) and the Members panel
 * (up to tablet width). An overlay closes on a tap outside it, on Escape and when the room changes, and the
 * Members overlay starts below the room header, so it never covers the button that closes it.
 */

const membersOverlay = window.matchMedia('(max-width: 900px)');
const sidebarOverlay = window.matchMedia('(max-width: 700px)');

export function setMembersOpen(open: boolean, focus = false): void {
  membersPanel.hidden = !open;
  membersToggle.setAttribute('aria-expanded', String(open));
  if (!open) return;
  placeMembersPanel();
  if (view.client?.activeRoom) void view.client.loadMembers(view.client.activeRoom);
  if (focus) membersPanel.querySelector<HTMLElement>('button, input')?.focus();
}

/** Where the overlay starts: just under the room header (which wraps to two lines on a phone). */
function placeMembersPanel(): void {
  if (!membersOverlay.matches) {
    membersPanel.style.removeProperty('top');
    return;
  }
  const header = membersToggle.closest('header');
  const layout = membersPanel.parentElement;
  if (!header || !layout) return;
  membersPanel.style.top = `${Math.max(0, header.getBoundingClientRect().bottom - layout.getBoundingClientRect().top)}px`;
}

/** A room change closes the Members overlay (beside the messages on a wide screen it stays). */
export function roomChanged(): void {
  if (membersOverlay.matches && !membersPanel.hidden) setMembersOpen(false);
}

export function wirePanels(): void {
  membersToggle.addEventListener('click', () => setMembersOpen(membersPanel.hidden !== false));
  sidebarToggle.addEventListener('click', () => {
    const open = !sidebar.classList.contains('open');
    sidebar.classList.toggle('open', open);
    sidebarToggle.setAttribute('aria-expanded', String(open));
  });

  // A tap outside an open overlay closes it; the tap still reaches what it landed on.
  document.addEventListener('pointerdown', e => {
    const target = e.target as Node;
    if (membersOverlay.matches && !membersPanel.hidden && !membersPanel.contains(target) && !membersToggle.contains(target)) {
      setMembersOpen(false);
    }
    if (sidebarOverlay.matches && sidebar.classList.contains('open') && !sidebar.contains(target) && !sidebarToggle.contains(target)) {
      closeSidebarOnPhone();
    }
  });

  document.addEventListener('keydown', e => {
    if (e.key !== 'Escape') return;
    if (membersOverlay.matches && !membersPanel.hidden) {
      const inside = membersPanel.contains(document.activeElement);
      setMembersOpen(false);
      if (inside) membersToggle.focus();
    }
    if (sidebar.classList.contains('open')) {
      const inside = sidebar.contains(document.activeElement);
      closeSidebarOnPhone();
      if (inside) sidebarToggle.focus();
    }
  });

  window.addEventListener('resize', () => {
    if (!membersPanel.hidden) placeMembersPanel();
  });

  // Members are shown beside the messages on wide screens from the start.
  if (window.matchMedia('(min-width: 1100px)').matches) setMembersOpen(true);
}
