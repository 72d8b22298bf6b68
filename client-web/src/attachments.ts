import type { ChatClient } from './chat';
import { byId, h } from './dom';
import { ChatPaths, type AttachmentInfo, type ChatMessage } from './types';
import { scheduleRender } from './viewState';

/**
 * Attachments: pick files (📎), upload each at once to the room (the server decides the type from the bytes
 * and refuses what it does not allow), send them with the next message; show images inline at their own
 * aspect ratio (width and height set before the bytes arrive, so nothing jumps) and other files as downloads.
 * The bytes need the access token, so they are fetched by script: images become data: URLs (the CSP allows
 * data: images and nothing else foreign), downloads a short-lived blob: link.
 */

const input = byId<HTMLInputElement>('attach-input');
const pending: { room: string; info: AttachmentInfo }[] = [];
let uploading = 0;
const images = new Map<string, Promise<string>>();

const thumbnail = { width: 240, height: 180 };

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function upload(c: ChatClient, room: string, file: File): Promise<void> {
  uploading++;
  scheduleRender();
  try {
    const response = await fetch(`${ChatPaths.rooms}/${encodeURIComponent(room)}/attachments?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await c.tokens.accessToken()}`, 'Content-Type': 'application/octet-stream' },
      body: file,
    });
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { title?: string };
      c.events.toast(`${file.name}: ${problem.title ?? `upload failed (${response.status})`}`);
      return;
    }
    pending.push({ room, info: (await response.json()) as AttachmentInfo });
  } catch {
    c.events.toast(`${file.name}: upload failed; check the connection.`);
  } finally {
    uploading--;
    scheduleRender();
  }
}

export function initAttachments(client: () => ChatClient | null): void {
  byId('attach').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const c = client();
    const room = c?.activeRoom;
    const files = [...(input.files ?? [])];
    input.value = '';
    if (!c || !room) return;
    for (const file of files) void upload(c, room, file);
  });
}

/** Whether an upload is still under way (the send waits for it). */
export const uploadsPending = (): boolean => uploading > 0;

export const hasAttachments = (room: string): boolean => pending.some(p => p.room === room);

/** The ids uploaded to <room> for the next message; they are handed over once. */
export function takeAttachments(room: string): string[] {
  const mine = pending.filter(p => p.room === room);
  for (const p of mine) pending.splice(pending.indexOf(p), 1);
  return mine.map(p => p.info.id);
}

export function attachmentChips(room: string): HTMLElement | null {
  const mine = pending.filter(p => p.room === room);
  if (!mine.length && !uploading) return null;
  return h('div', { class: 'attachment-chips', 'data-testid': 'attachment-chips' },
    ...mine.map(p => h('span', { class: 'chip', 'data-testid': 'attachment-chip', text: `${p.info.fileName} (${formatSize(p.info.length)})` },
      h('button', {
        type: 'button', class: 'link', 'aria-label': `Remove ${p.info.fileName}`,
        onclick: () => { pending.splice(pending.indexOf(p), 1); scheduleRender(); },
      }, '✕'))),
    uploading ? h('span', { class: 'chip', text: 'Uploading…' }) : null);
}

async function fetchBlob(c: ChatClient, id: string): Promise<Blob> {
  const response = await fetch(`${ChatPaths.attachments}/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${await c.tokens.accessToken()}` } });
  if (!response.ok) throw new Error(`The server answered ${response.status}.`);
  return response.blob();
}

function dataUrl(c: ChatClient, id: string): Promise<string> {
  let url = images.get(id);
  if (!url) {
    url = fetchBlob(c, id).then(blob => new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
      reader.readAsDataURL(blob);
    }));
    url.catch(() => images.delete(id));
    images.set(id, url);
  }
  return url;
}

function scaled(a: AttachmentInfo): { width: number; height: number } {
  const w = a.width ?? thumbnail.width;
  const hgt = a.height ?? thumbnail.height;
  const factor = Math.min(1, thumbnail.width / w, thumbnail.height / hgt);
  return { width: Math.max(1, Math.round(w * factor)), height: Math.max(1, Math.round(hgt * factor)) };
}

function imageItem(c: ChatClient, a: AttachmentInfo): HTMLElement {
  const size = scaled(a);
  const img = h('img', { class: 'attachment-image', 'data-testid': 'attachment-image', alt: a.fileName, width: size.width, height: size.height });
  dataUrl(c, a.id).then(url => { img.src = url; }, () => { img.alt = `${a.fileName} (could not be loaded)`; });
  return img;
}

function fileItem(c: ChatClient, a: AttachmentInfo): HTMLElement {
  return h('button', {
    type: 'button', class: 'attachment-file', 'data-testid': 'attachment-file',
    onclick: () => {
      fetchBlob(c, a.id).then(blob => {
        const url = URL.createObjectURL(blob);
        const link = h('a', { href: url, download: a.fileName });
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      }, () => c.events.toast(`${a.fileName} could not be downloaded.`));
    },
  }, `📄 ${a.fileName} (${formatSize(a.length)})`);
}

export function attachmentsBlock(c: ChatClient, m: ChatMessage): HTMLElement | null {
  if (!m.attachments?.length || m.deleted) return null;
  return h('div', { class: 'attachments', 'data-testid': 'attachments' },
    ...m.attachments.map(a => (a.contentType.startsWith('image/') ? imageItem(c, a) : fileItem(c, a))));
}
