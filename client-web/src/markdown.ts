import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

/**
 * Message text to DOM: the little markdown people type in chats (bold, italic, inline code, code blocks,
 * http(s) links) through `marked`, then `DOMPurify` with an allow-list, inserted as a sanitized fragment
 * (never through innerHTML). Everything else markdown knows (headings, lists, quotes, tables, images, raw
 * HTML) stays the text it was typed as: a line starting with "# " or "- " in a chat is not a document.
 */

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const safeUrl = /^(?:https?:\/\/|mailto:)/i;

// A tokenizer that returns undefined declines, and marked falls through to plain paragraphs and text
// (returning false would ask for the built-in one instead).
const off = () => undefined;

const markdown = new Marked({ gfm: true, breaks: false, async: false });
markdown.use({
  tokenizer: {
    heading: off, lheading: off, hr: off, blockquote: off, list: off, html: off, table: off, def: off,
    code: off, // indented code: four leading spaces are not meant as code in a chat; fences are
    tag: off, reflink: off, br: off,
  },
  renderer: {
    link({ href, tokens, raw }: Tokens.Link): string {
      if (!safeUrl.test(href)) return escapeHtml(raw);
      return `<a href="${escapeHtml(href)}">${this.parser.parseInline(tokens)}</a>`;
    },
    image({ raw }: Tokens.Image): string {
      return escapeHtml(raw);
    },
  },
});

const purifyOptions = {
  ALLOWED_TAGS: ['p', 'strong', 'em', 'code', 'pre', 'a', 'del'],
  ALLOWED_ATTR: ['href'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  RETURN_DOM_FRAGMENT: true as const,
};

DOMPurify.addHook('afterSanitizeAttributes', node => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const mentionPattern = /(?<![\w@.-])@([A-Za-z0-9][A-Za-z0-9_.-]{2,31})/g; // as server/Messages/MentionParser.cs

/**
 * The message's text as sanitized DOM. `mentions` are the user names the server found in it; those
 * `@name`s are marked (`mention`, plus `me` for this user), outside code and links.
 */
export function renderMessageText(text: string, mentions: readonly string[], isMe: (user: string) => boolean): DocumentFragment {
  const html = markdown.parse(text) as string;
  const fragment = DOMPurify.sanitize(html, purifyOptions);
  // marked separates blocks with newlines, which the pre-wrap text style would show as blank lines.
  for (const node of [...fragment.childNodes]) {
    if (node.nodeType === Node.TEXT_NODE && !node.textContent?.trim()) node.remove();
  }
  if (mentions.length) markMentions(fragment, new Set(mentions.map(m => m.toLowerCase())), isMe);
  return fragment;
}

function markMentions(root: Node, names: Set<string>, isMe: (user: string) => boolean): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: node => (node.parentElement?.closest('code, pre, a') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
  for (const node of texts) {
    const value = node.data;
    const parts: Node[] = [];
    let last = 0;
    for (const match of value.matchAll(mentionPattern)) {
      if (!names.has(match[1].toLowerCase())) continue;
      parts.push(document.createTextNode(value.slice(last, match.index)));
      const span = document.createElement('span');
      span.className = isMe(match[1]) ? 'mention me' : 'mention';
      span.title = isMe(match[1]) ? 'This mentions you' : `Mentions ${match[1]}`;
      span.textContent = match[0];
      parts.push(span);
      last = match.index + match[0].length;
    }
    if (!parts.length) continue;
    parts.push(document.createTextNode(value.slice(last)));
    node.replaceWith(...parts);
  }
}
