import type { ChatClient, RoomState } from './chat';
import { byId, h, reconcile } from './dom';
import { otherRoomList } from './elements';
import { scheduleRender } from './viewState';

/**
 * "Other rooms": public rooms this user has not joined, with topic and member count, a filter, natural order
 * (sim-2 before sim-10), and numbered series (what a simulation leaves behind) folded into one line each so
 * they do not bury the rest. It follows the client's room list, which RoomChanged keeps current.
 */

/** Series with at least this many rooms fold into one line until opened. */
const foldFrom = 5;
/** Rooms shown before "Show all" when no filter narrows the list. */
const pageSize = 25;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Natural order: digits compare as numbers, so sim-2 comes before sim-10. */
export const naturalCompare = (a: string, b: string): number => collator.compare(a, b);

const filterInput = byId<HTMLInputElement>('directory-filter');
const topicEl = byId('room-topic');
const topicEdit = byId<HTMLButtonElement>('topic-edit');
const expanded = new Set<string>();
let showAll = false;

filterInput.addEventListener('input', () => scheduleRender());

/** The name without its trailing number: "sim-12" is in series "sim-"; a name without a number has none. */
function seriesOf(name: string): string | null {
  const match = /^(.*?[-_]?)\d+$/.exec(name);
  return match && match[1] ? match[1] : null;
}

type Entry = { kind: 'room'; room: RoomState } | { kind: 'series'; prefix: string; rooms: RoomState[] };

function entries(rooms: RoomState[], filtering: boolean): Entry[] {
  if (filtering) return rooms.map(room => ({ kind: 'room', room }));
  const bySeries = new Map<string, RoomState[]>();
  for (const room of rooms) {
    const prefix = seriesOf(room.info.name);
    if (prefix) bySeries.set(prefix, [...(bySeries.get(prefix) ?? []), room]);
  }
  const out: Entry[] = [];
  const emitted = new Set<string>();
  for (const room of rooms) {
    const prefix = seriesOf(room.info.name);
    const series = prefix ? bySeries.get(prefix)! : [];
    if (!prefix || series.length < foldFrom) out.push({ kind: 'room', room });
    else if (!emitted.has(prefix)) {
      emitted.add(prefix);
      out.push({ kind: 'series', prefix, rooms: series });
      if (expanded.has(prefix)) out.push(...series.map(r => ({ kind: 'room', room: r }) as Entry));
    }
  }
  return out;
}

function roomItem(c: ChatClient, room: RoomState): HTMLElement {
  const info = room.info;
  const count = info.memberCount ?? 0;
  return h('li', { 'data-testid': 'other-room', 'data-room': info.name, class: 'directory-room' },
    h('div', { class: 'directory-text' },
      h('span', { class: 'directory-name', 'data-testid': 'other-room-name', text: `# ${info.name}` }),
      h('span', { class: 'directory-meta', text: `${count} ${count === 1 ? 'member' : 'members'}` }),
      info.topic ? h('span', { class: 'directory-topic', 'data-testid': 'other-room-topic', text: info.topic }) : null),
    h('button', { type: 'button', class: 'directory-join', 'aria-label': `Join ${info.name}`, onclick: () => void c.joinRoom(info.name).catch(() => undefined) }, 'Join'));
}

function seriesItem(prefix: string, rooms: RoomState[]): HTMLElement {
  const open = expanded.has(prefix);
  return h('li', { class: 'directory-series', 'data-testid': 'room-series', 'data-series': prefix },
    h('button', {
      type: 'button', class: 'link', 'aria-expanded': open ? 'true' : 'false',
      onclick: () => {
        if (open) expanded.delete(prefix);
        else expanded.add(prefix);
        scheduleRender();
      },
    }, `${open ? '▾' : '▸'} ${prefix}… (${rooms.length} rooms)`));
}

export function renderDirectory(c: ChatClient): void {
  const filter = filterInput.value.trim().toLowerCase();
  const rooms = [...c.rooms.values()]
    .filter(r => !r.info.isMember && !r.info.isDirect)
    .filter(r => !filter || r.info.name.includes(filter) || (r.info.topic ?? '').toLowerCase().includes(filter))
    .sort((a, b) => naturalCompare(a.info.name, b.info.name));
  const all = entries(rooms, filter !== '');
  const shown = showAll || filter ? all : all.slice(0, pageSize);
  const items: (Entry | { kind: 'more'; hidden: number })[] = [...shown];
  if (shown.length < all.length) items.push({ kind: 'more', hidden: all.length - shown.length });

  reconcile(otherRoomList, items,
    e => (e.kind === 'room' ? `r:${e.room.info.name}` : e.kind === 'series' ? `s:${e.prefix}` : 'more'),
    e => (e.kind === 'room' ? `${e.room.info.topic ?? ''}|${e.room.info.memberCount ?? 0}` : e.kind === 'series' ? `${expanded.has(e.prefix)}|${e.rooms.length}` : String(e.hidden)),
    e => (e.kind === 'room' ? roomItem(c, e.room) : e.kind === 'series' ? seriesItem(e.prefix, e.rooms)
      : h('li', { class: 'directory-more' }, h('button', { type: 'button', class: 'link', onclick: () => { showAll = true; scheduleRender(); } }, `Show ${e.hidden} more`))));
  byId('directory-empty').hidden = rooms.length > 0;
}

/** The room header's topic, and for its owner a button to set it. */
export function renderTopic(c: ChatClient, room: RoomState | undefined): void {
  topicEl.textContent = room?.info.topic ?? '';
  const owner = !!room && !room.info.isDirect && c.isMe(room.info.owner);
  topicEdit.hidden = !owner;
  topicEdit.textContent = room?.info.topic ? 'Edit topic' : 'Set topic';
  topicEdit.onclick = owner
    ? () => {
      const topic = prompt(`Topic of # ${room.info.name} (empty clears it)`, room.info.topic ?? '');
      if (topic !== null) void c.setTopic(room.info.name, topic).catch(() => undefined);
    }
    : null;
}
