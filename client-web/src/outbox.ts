import { errorOf, newClientMessageId, userMessage, type ChatCore, type OutboxItem } from './chatModel';
import { isRetryable, type ChatMessage } from './types';

/**
 * Messages typed but not yet in the log, kept in localStorage across reloads and sent oldest first with
 * their clientMessageId, so a retry is stored once. The room log says when a message arrived (remove);
 * the outbox hands each acknowledgement to <acknowledged> to show it in place.
 */
export class Outbox {
  items: OutboxItem[];
  private flushing = false;

  constructor(
    private readonly core: ChatCore,
    private readonly userName: string,
    private readonly acknowledged: (ack: ChatMessage) => void,
  ) {
    this.items = this.load();
  }

  private key(): string {
    return `chatapp.outbox.${this.userName.toLowerCase()}`;
  }

  private load(): OutboxItem[] {
    try {
      const items = JSON.parse(localStorage.getItem(this.key()) ?? '[]') as OutboxItem[];
      return items.map(i => ({ ...i, sending: false }));
    } catch {
      return [];
    }
  }

  private save(): void {
    const items = this.items.map(({ sending: _sending, ...item }) => item);
    if (items.length) localStorage.setItem(this.key(), JSON.stringify(items));
    else localStorage.removeItem(this.key());
  }

  remove(clientMessageId: string): void {
    const before = this.items.length;
    this.items = this.items.filter(i => i.clientMessageId !== clientMessageId);
    if (this.items.length !== before) this.save();
  }

  /** Shows the message at once (pending) and sends it; if the connection is down it goes when it is back. */
  send(room: string, text: string, extras: Pick<OutboxItem, 'replyTo' | 'attachmentIds'> = {}): void {
    const item: OutboxItem = { clientMessageId: newClientMessageId(), room, text, createdAt: new Date().toISOString(), ...extras };
    this.items.push(item);
    this.save();
    this.core.events.changed();
    // Through the queue, oldest first, so messages typed in a burst (or while offline) keep their order.
    if (this.core.connected) void this.flush();
  }

  private async trySend(item: OutboxItem): Promise<void> {
    if (item.sending) return;
    item.sending = true;
    this.core.events.changed();
    try {
      // Replies and attachments go through SendMessageWith; a plain message keeps the original call.
      const ack = item.replyTo || item.attachmentIds?.length
        ? await this.core.connection.invoke<ChatMessage>('SendMessageWith', item.room, item.text, item.clientMessageId,
          { replyTo: item.replyTo ?? null, attachmentIds: item.attachmentIds ?? [] })
        : await this.core.connection.invoke<ChatMessage>('SendMessage', item.room, item.text, item.clientMessageId);
      this.remove(item.clientMessageId);
      this.acknowledged(ack);
    } catch (error) {
      const refused = errorOf(error);
      if (this.core.connected && isRetryable(refused?.code)) {
        // Nothing was stored (the server is restarting, a commit failed, or this user is sending too fast):
        // send it again after the server's hint, same id.
        setTimeout(() => void this.flush(), Math.max(1, refused?.retryAfterSeconds ?? 2) * 1000);
      } else if (this.core.connected) {
        // The server answered no (too long, not a member...): keep it visible for retry or discard.
        item.failed = userMessage(error);
        this.save();
        this.core.events.toast(`Message not sent: ${item.failed}`);
      }
      // Otherwise the connection dropped: it stays pending and goes again after reconnecting.
    } finally {
      item.sending = false;
      this.core.events.changed();
    }
  }

  /** Sends what is waiting, oldest first, one at a time so their order is kept. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let item = this.nextToSend(); item && this.core.connected; item = this.nextToSend()) {
        await this.trySend(item);
        if (this.items.includes(item) && !item.failed) break; // connection dropped; reconnect flushes again
      }
    } finally {
      this.flushing = false;
    }
  }

  private nextToSend(): OutboxItem | undefined {
    return this.items.find(i => !i.failed && !i.sending && this.core.rooms.get(i.room)?.info.isMember !== false);
  }

  retry(clientMessageId: string): void {
    const item = this.items.find(i => i.clientMessageId === clientMessageId);
    if (!item) return;
    item.failed = undefined;
    this.save();
    this.core.events.changed();
    void this.flush();
  }

  discard(clientMessageId: string): void {
    this.remove(clientMessageId);
    this.core.events.changed();
  }
}
