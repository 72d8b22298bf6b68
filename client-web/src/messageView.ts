import { attachmentsBlock } from './attachments';
import type { ChatClient, OutboxItem } from './chat';
import { h } from './dom';
import { composer, messageList } from './elements';
import { currentQuote, quoteBlock, replyButton } from './replies';
import type { ChatMessage } from './types';
import { scheduleRender, view } from './viewState';

/** One row of the message list: a message (with reactions, actions and the editor) or a pending send. */

const reactionChoices = ['👍', '❤️', '😂', '🎉', '😮', '👀'];

export type Row = { message: ChatMessage; pending?: undefined } | { pending: OutboxItem; message?: undefined };

export const rowKey = (row: Row) => (row.message ? `m${row.message.seq}` : `p${row.pending!.clientMessageId}`);

export function rowSignature(c: ChatClient, row: Row): string {
  if (row.pending) return `p|${row.pending.sending}|${row.pending.failed ?? ''}`;
  const m = row.message!;
  const open = (s: typeof view.editing) => s?.room === m.room && s.seq === m.seq;
  return JSON.stringify([m.text, m.deleted, m.editedAt, m.reactions, open(view.editing), open(view.pickerFor), c.isMe(m.sender),
    currentQuote(c, m), m.attachments?.length ?? 0]);
}

export function buildRow(c: ChatClient, row: Row): HTMLElement {
  return row.pending ? buildPending(c, row.pending) : buildMessage(c, row.message!);
}

export function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function buildPending(c: ChatClient, item: OutboxItem): HTMLElement {
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

export function buildMessage(c: ChatClient, m: ChatMessage): HTMLElement {
  const own = c.isMe(m.sender);
  const mentioned = !own && m.mentions.some(u => c.isMe(u));
  const isEditing = view.editing?.room === m.room && view.editing.seq === m.seq;
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
  const quote = quoteBlock(c, m);
  if (quote) li.append(quote);
  if (isEditing) {
    li.append(buildEditor(c, m));
    return li;
  }
  li.append(h('div', { class: 'text', 'data-testid': 'message-text', text: m.text }));
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
  if (pickerOpen) {
    const picker = h('div', { class: 'picker', role: 'group', 'aria-label': 'Reactions' });
    for (const emoji of reactionChoices) {
      picker.append(h('button', {
        type: 'button', 'data-testid': 'pick-reaction', 'data-emoji': emoji, 'aria-label': `React ${emoji}`,
        onclick: () => {
          view.pickerFor = null;
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
