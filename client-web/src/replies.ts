import type { ChatClient } from './chat';
import { byId, h } from './dom';
import { composer } from './elements';
import { attachmentChips, takeAttachments } from './attachments';
import { jumpTo } from './search';
import type { ChatMessage, ReplyPreview } from './types';
import { scheduleRender } from './viewState';

/**
 * Replies: a Reply action on each message, a "Replying to" bar above the composer, and on a reply the quoted
 * start of the message it answers, which jumps there. The quote follows the original as this client knows it
 * now (a deletion seen live shows at once); otherwise it is the server's, as of when the page was read.
 */

const extras = byId('composer-extras');
let replyingTo: { room: string; quote: ReplyPreview } | null = null;

export function startReply(m: ChatMessage): void {
  replyingTo = { room: m.room, quote: { seq: m.seq, sender: m.sender, text: m.text, deleted: false } };
  scheduleRender();
  composer.focus();
}

/** What the next send from the composer carries besides its text; clears the reply and the uploads. */
export function takeComposerExtras(room: string): { replyTo?: number; attachmentIds?: string[] } {
  const replyTo = replyingTo?.room === room ? replyingTo.quote.seq : undefined;
  replyingTo = null;
  const attachmentIds = takeAttachments(room);
  return { ...(replyTo ? { replyTo } : {}), ...(attachmentIds.length ? { attachmentIds } : {}) };
}

/** The quote as it is now: the loaded original wins over the copy that came with the reply. */
export function currentQuote(c: ChatClient, m: ChatMessage): ReplyPreview | null {
  if (!m.replyTo) return null;
  const original = c.rooms.get(m.room)?.messages.get(m.replyTo);
  if (original) return { seq: original.seq, sender: original.sender, text: original.text, deleted: original.deleted };
  return m.quoted ?? { seq: m.replyTo, sender: '', text: '', deleted: false };
}

export function quoteBlock(c: ChatClient, m: ChatMessage): HTMLElement | null {
  const quote = currentQuote(c, m);
  if (!quote) return null;
  return h('button', {
    type: 'button', class: quote.deleted ? 'quote deleted' : 'quote', 'data-testid': 'reply-quote', 'data-reply-to': quote.seq,
    'aria-label': `In reply to ${quote.sender || 'a message'}; show it`,
    onclick: () => void jumpTo(c, m.room, quote.seq),
  },
    h('span', { class: 'quote-sender', text: quote.deleted ? '' : quote.sender }),
    h('span', { class: 'quote-text', text: quote.deleted ? 'The original message was deleted.' : quote.text || '(attachment)' }));
}

export function replyButton(m: ChatMessage): HTMLElement {
  return h('button', { type: 'button', 'data-testid': 'reply', onclick: () => startReply(m) }, 'Reply');
}

/** The reply bar and the uploads waiting for the next send, above the composer of the room on screen. */
export function renderComposerExtras(c: ChatClient): void {
  const room = c.activeRoom;
  if (replyingTo && replyingTo.room !== room) replyingTo = null;
  const bar = replyingTo
    ? h('div', { class: 'reply-bar', 'data-testid': 'reply-bar' },
      h('span', { text: `Replying to ${replyingTo.quote.sender}: ` }),
      h('span', { class: 'quote-text', text: replyingTo.quote.text }),
      h('button', { type: 'button', class: 'link', 'aria-label': 'Cancel the reply', onclick: () => { replyingTo = null; scheduleRender(); } }, '✕'))
    : null;
  const chips = room ? attachmentChips(room) : null;
  extras.replaceChildren(...[bar, chips].filter((e): e is HTMLElement => e !== null));
  extras.hidden = extras.childElementCount === 0;
}
