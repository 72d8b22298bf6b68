import emojiDataUrl from 'emoji-picker-element-data/en/emojibase/data.json?url';

/**
 * Every emoji, from `emoji-picker-element`, loaded on first use (it is larger than the rest of the client).
 * Its emoji data is bundled into the build and served by the server, not fetched from the package's default
 * CDN: the chat works offline and the content security policy allows no other origin. The picker styles
 * itself inside its shadow root; the server's policy allows exactly that stylesheet by its hash
 * (server/Hosting/SecurityHeaders.cs).
 */
export function mountEmojiPicker(holder: HTMLElement, pick: (emoji: string) => void): void {
  void import('emoji-picker-element').then(({ Picker }) => {
    if (!holder.isConnected) return; // the row was rebuilt meanwhile
    const picker = new Picker({ dataSource: emojiDataUrl });
    picker.addEventListener('emoji-click', event => {
      if (event.detail.unicode) pick(event.detail.unicode);
    });
    holder.append(picker);
    holder.scrollIntoView({ block: 'nearest' });
    requestAnimationFrame(() => picker.shadowRoot?.querySelector<HTMLInputElement>('input')?.focus());
  });
}
