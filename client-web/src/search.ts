import type { ChatClient } from './chat';
import { byId, h } from './dom';
import { membersPanel, membersToggle, scroller } from './elements';
import { time } from './messageView';
import type { ChatMessage, SearchPage } from './types';
import { scheduleRender } from './viewState';

/**
 * The search box: all my rooms or the one on screen, newest first, a page at a time, matched words marked,
 * and a click takes you to the message in its room. Results are built from text nodes and <mark> elements
 * only, never from HTML, so a message cannot inject markup through search either.
 */

const pageSize = 20;

/** How a room is named on screen: a DM by the other person, a room by its name. */
export function roomLabelOf(c: ChatClient, room: string): string {
  const info = c.rooms.get(room)?.info;
  return info?.isDirect ? (info.directWith ?? room) : `# ${room}`;
}

const form = byId<HTMLFormElement>('search-form');
const input = byId<HTMLInputElement>('search-input');
const scope = byId<HTMLSelectElement>('search-scope');
const panel = byId('search-panel');
const results = byId('search-results');
const status = byId('search-status');
const more = byId<HTMLButtonElement>('search-more');

let current: { query: string; room: string | null; lastId: number | null; generation: number } | null = null;
let generation = 0;

/** The words of a query as the server matches them: every word, the last one also as a prefix. */
export function queryTerms(query: string): string[] {
  return query.split(/\s+/).map(w => w.replace(/"/g, '')).filter(w => /[\p{L}\p{N}]/u.test(w)).map(w => w.toLowerCase());
}

/** The text as nodes, with every occurrence of a term (case-insensitive, as a word start) wrapped in <mark>. */
export function highlighted(text: string, terms: string[]): Node[] {
  if (!terms.length) return [document.createTextNode(text)];
  const escaped = terms.map(t => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(${escaped.join('|')})`, 'giu');
  const nodes: Node[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index;
    if (at > last) nodes.push(document.createTextNode(text.slice(last, at)));
    nodes.push(h('mark', { text: match[0] }));
    last = at + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function resultItem(c: ChatClient, m: ChatMessage, terms: string[]): HTMLElement {
  const text = h('div', { class: 'search-text', 'data-testid': 'search-result-text' });
  text.append(...highlighted(m.text, terms));
  return h('li', { 'data-testid': 'search-result', 'data-room': m.room, 'data-seq': m.seq },
    h('button', {
      type: 'button', class: 'search-hit',
      onclick: () => void jumpTo(c, m.room, m.seq),
    },
      h('div', { class: 'meta' },
        h('span', { class: 'search-room', text: roomLabelOf(c, m.room) }),
        h('span', { class: 'sender', text: m.sender }),
        h('time', { datetime: m.sentAt, text: `${new Date(m.sentAt).toLocaleDateString()} ${time(m.sentAt)}` })),
      text));
}

async function runSearch(c: ChatClient, append: boolean): Promise<void> {
  if (!current) return;
  const asked = current;
  more.hidden = true;
  status.textContent = 'Searching…';
  try {
    const page = await c.connection.invoke<SearchPage>('SearchMessages', asked.query, asked.room, asked.lastId, pageSize);
    if (asked !== current || asked.generation !== generation) return; // a newer search replaced this one
    if (!append) results.replaceChildren();
    const terms = queryTerms(asked.query);
    for (const m of page.results) results.append(resultItem(c, m, terms));
    asked.lastId = page.results.at(-1)?.id ?? asked.lastId;
    more.hidden = !page.hasMore;
    const shown = results.childElementCount;
    status.textContent = shown === 0 ? 'No messages match.' : `${shown}${page.hasMore ? '+' : ''} ${shown === 1 ? 'message' : 'messages'}`;
  } catch (error) {
    status.textContent = c.connected ? `Search failed: ${error instanceof Error ? error.message.replace(/^.*\] /, '') : String(error)}` : 'Not connected.';
  }
}

/**
 * Opens the message's room, loads older pages until the message is there (the log stays contiguous, so
 * catch-up and unread counts are not disturbed), scrolls it into view and flashes it.
 */
export async function jumpTo(c: ChatClient, room: string, seq: number): Promise<void> {
  const state = c.rooms.get(room);
  if (!state?.info.isMember) {
    c.events.toast(`Join ${roomLabelOf(c, room)} to read this message.`);
    return;
  }
  if (window.matchMedia('(max-width: 800px)').matches) panel.hidden = true;
  await c.openRoom(room);
  for (let pages = 0; pages < 40 && !state.messages.has(seq) && state.hasMore; pages++) {
    await c.loadOlder(room);
    if (!state.loaded || !c.connected) break;
  }
  scheduleRender();
  // After the render that puts the rows in place.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const row = document.querySelector<HTMLElement>(`#messages [data-seq="${seq}"]`);
    if (!row) {
      c.events.toast('That message is no longer there.');
      return;
    }
    row.scrollIntoView({ block: 'center' });
    row.classList.remove('flash');
    void row.offsetWidth; // restart the animation when jumping to the same message again
    row.classList.add('flash');
    scroller.focus({ preventScroll: true });
  }));
}

export function initSearch(client: () => ChatClient | null): void {
  form.addEventListener('submit', e => {
    e.preventDefault();
    const c = client();
    const query = input.value.trim();
    if (!c || !queryTerms(query).length) return;
    const room = scope.value === 'room' ? c.activeRoom : null;
    current = { query, room, lastId: null, generation: ++generation };
    panel.hidden = false;
    if (!window.matchMedia('(min-width: 1400px)').matches) {
      // Results and members side by side would squeeze the messages to a sliver; the results win.
      membersPanel.hidden = true;
      membersToggle.setAttribute('aria-expanded', 'false');
    }
    byId('search-title').textContent = room ? `Search in ${roomLabelOf(c, room)}` : 'Search all rooms';
    void runSearch(c, false);
  });
  more.addEventListener('click', () => {
    const c = client();
    if (c) void runSearch(c, true);
  });
  byId('search-close').addEventListener('click', () => {
    panel.hidden = true;
    input.focus();
  });
}
