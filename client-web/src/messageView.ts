import { attachmentsBlock } from './attachments';
import type { ChatClient, OutboxItem } from './chat';
import { h } from './dom';
import { composer, messageList } from './elements';
import { mountEmojiPicker } from './emojiPicker';
import { renderMessageText } from './markdown';
import { currentQuote, quoteBlock, replyButton } from './replies';
import type { ChatMessage } from './types';
import { scheduleRender, view } from './viewState';

/** One row of the message list: a message (with reactions, actions and the editor), a pending send, or a day's first line. */

const reactionChoices = ['👍', '❤️', '😂', '🎉', '😮', '👀'];

/** `continued`: the same sender as the message above, a few minutes later, so name and time are not repeated. */
export type Row =
  | { message: ChatMessage; continued?: boolean; pending?: undefined; day?: undefined }
  | { pending: OutboxItem; message?: undefined; day?: undefined }
  | { day: string; label: string; message?: undefined; pending?: undefined };

export const rowKey = (row: Row) =>
  row.day !== undefined ? `d${row.day}` : row.message ? `m${row.message.seq}` : `p${row.pending!.clientMessageId}`;

export function rowSignature(c: ChatClient, row: Row): string {
  if (row.day !== undefined) return row.label;
  if (row.pending) return `p|${row.pending.sending}|${row.pending.failed ?? ''}`;
  const m = row.message!;
  const open = (s: typeof view.editing) => s?.room === m.room && s.seq === m.seq;
  return JSON.stringify([m.text, m.deleted, m.editedAt, m.reactions, m.mentions, open(view.editing), open(view.pickerFor),
    open(view.pickerFor) && view.fullPicker, c.isMe(m.sender), row.continued ?? false, currentQuote(c, m), m.attachments?.length ?? 0]);
}

export function buildRow(c: ChatClient, row: Row): HTMLElement {
  if (row.day !== undefined) return h('li', { class: 'day', 'data-testid': 'day-separator', 'data-day': row.day, role: 'separator' }, h('span', { text: row.label }));
  return row.pending ? buildPending(c, row.pending) : buildMessage(c, row.message!, row.continued ?? false);
}

export function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The full date and time, for the tooltip of every message's time. */
export function fullTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString([], { dateStyle: 'full', timeStyle: 'short' });
}

function messageText(c: ChatClient, text: string, mentions: readonly string[]): HTMLElement {
  const el = h('div', { class: 'text', 'data-testid': 'message-text' });
  el.append(renderMessageText(text, mentions, user => c.isMe(user)));
  return el;
}

export function buildPending(c: ChatClient, item: OutboxItem): HTMLElement {
  return h('li', { class: `message own pending${item.failed ? ' failed' : ''}`, 'data-testid': 'message', 'data-pending': 'true', 'data-client-id': item.clientMessageId, 'data-sender': c.me },
    h('div', { class: 'meta' },
      h('span', { class: 'sender', text: c.me }),
      h('span', { class: 'state', 'data-testid': 'message-state', text: item.failed ? `Not sent: ${item.failed}` : 'sending…' })),
    messageText(c, item.text, []),
    item.failed
      ? h('div', { class: 'actions visible' },
        h('button', { type: 'button', onclick: () => c.retry(item.clientMessageId) }, 'Retry'),
        h('button', { type: 'button', onclick: () => c.discard(item.clientMessageId) }, 'Discard'))
      : null);
}

export function buildMessage(c: ChatClient, m: ChatMessage, continued = false): HTMLElement {
  const own = c.isMe(m.sender);
  const mentioned = !own && m.mentions.some(u => c.isMe(u));
  const isEditing = view.editing?.room === m.room && view.editing.seq === m.seq;
  const edited = m.editedAt && !m.deleted ? h('span', { class: 'edited', 'data-testid': 'edited', text: '(edited)' }) : null;
  // tabindex -1: a tap (or click) focuses the message, which shows its toolbar on a touch screen; Tab still goes to its buttons.
  const li = h('li', {
    class: ['message', own && 'own', mentioned && 'mentioned', m.deleted && 'deleted', continued && 'continued'].filter(Boolean).join(' '),
    'data-testid': 'message', 'data-seq': m.seq, 'data-sender': m.sender, 'data-client-id': m.clientMessageId, tabindex: -1,
    title: mentioned ? 'Highlighted: this message mentions you' : null,
  },
    continued
      ? h('time', { class: 'hover-time', 'data-testid': 'hover-time', datetime: m.sentAt, title: fullTime(m.sentAt), text: time(m.sentAt) })
      : h('div', { class: 'meta' },
        h('span', { class: 'sender', 'data-testid': 'sender', text: m.sender }),
        h('time', { datetime: m.sentAt, title: fullTime(m.sentAt), text: time(m.sentAt) }),
        mentioned ? h('span', { class: 'mention-note', 'data-testid': 'mention-note', text: 'mentions you' }) : null,
        edited),
  );

  if (m.deleted) {
    li.append(h('div', { class: 'text', 'data-testid': 'message-text', text: 'This message was deleted.' }));
    return li;
  }
  const quote = quoteBlock(c, m);
  if (quote) li.append(quote);
  if (isEditing) {
    li.append(buildEditor(c, m));
    return li;
  }
  li.append(messageText(c, m.text, m.mentions));
  if (continued && edited) li.append(edited); // no meta line to carry it
  const files = attachmentsBlock(c, m);
  if (files) li.append(files);

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

  const pickerOpen = view.pickerFor?.room === m.room && view.pickerFor.seq === m.seq;
  const actions = h('div', { class: pickerOpen ? 'actions visible' : 'actions' },
    h('button', {
      type: 'button', 'data-testid': 'react', 'aria-expanded': pickerOpen ? 'true' : 'false', 'aria-label': 'Add a reaction',
      onclick: () => {
        view.pickerFor = pickerOpen ? null : { room: m.room, seq: m.seq };
        view.fullPicker = false;
        scheduleRender();
      },
    }, '☺+'),
    replyButton(m),
    own ? h('button', { type: 'button', 'data-testid': 'edit', onclick: () => startEditing(m) }, 'Edit') : null,
    own ? h('button', {
      type: 'button', 'data-testid': 'delete',
      onclick: () => {
        if (confirm('Delete this message?')) void c.remove(m.room, m.seq).catch(() => undefined);
      },
    }, 'Delete') : null);
  const pick = (emoji: string) => {
    view.pickerFor = null;
    view.fullPicker = false;
    scheduleRender();
    void c.react(m.room, m.seq, emoji).catch(() => undefined);
  };
  if (pickerOpen) {
    const picker = h('div', { class: 'picker', role: 'group', 'aria-label': 'Reactions' });
    for (const emoji of reactionChoices) {
      picker.append(h('button', {
        type: 'button', 'data-testid': 'pick-reaction', 'data-emoji': emoji, 'aria-label': `React ${emoji}`,
        onclick: () => pick(emoji),
      }, emoji));
    }
    picker.append(h('button', {
      type: 'button', 'data-testid': 'more-reactions', 'aria-label': 'More emoji', 'aria-expanded': view.fullPicker ? 'true' : 'false',
      onclick: () => {
        view.fullPicker = !view.fullPicker;
        scheduleRender();
      },
    }, '+'));
    actions.append(picker);
  }
  li.append(actions);
  if (pickerOpen && view.fullPicker) {
    // In the message's flow, not floating: the picker is taller than most messages, and the list scrolls to it.
    const holder = h('div', { class: 'emoji-picker-holder', 'data-testid': 'emoji-picker' });
    li.append(holder);
    mountEmojiPicker(holder, pick);
  }
  return li;
}

export function startEditing(m: ChatMessage): void {
  view.editing = { room: m.room, seq: m.seq };
  view.pickerFor = null;
  scheduleRender();
  requestAnimationFrame(() => requestAnimationFrame(() => messageList.querySelector<HTMLTextAreaElement>('textarea.editor')?.focus()));
}

export function buildEditor(c: ChatClient, m: ChatMessage): HTMLElement {
  const area = h('textarea', { class: 'editor', 'data-testid': 'edit-text', 'aria-label': 'Edit message', rows: 2, maxlength: 4000 });
  area.value = m.text;
  const save = () => {
    const text = area.value.trim();
    view.editing = null;
    scheduleRender();
    if (text && text !== m.text) void c.edit(m.room, m.seq, text).catch(() => undefined);
  };
  const cancel = () => {
    view.editing = null;
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
