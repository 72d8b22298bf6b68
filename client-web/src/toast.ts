import { h } from './dom';
import { toasts } from './elements';

/** A short notice in the corner; the newest four stay, each for six seconds. */

export function toast(message: string): void {
  const el = h('div', { class: 'toast', role: 'alert', 'data-testid': 'toast' },
    h('span', { text: message }),
    h('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
  toasts.append(el);
  while (toasts.children.length > 4) toasts.firstElementChild?.remove();
  setTimeout(() => el.remove(), 6000);
}
