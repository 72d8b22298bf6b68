import type { ChatClient } from './chat';

/** What the page shows besides the client's own state: who is logged in, what is being edited or picked. */
export const view: {
  client: ChatClient | null;
  /** The message being edited, if any: its room and seq. */
  editing: { room: string; seq: number } | null;
  /** The message whose reaction picker is open. */
  pickerFor: { room: string; seq: number } | null;
  /** Whether the open reaction picker shows every emoji (emoji-picker-element) besides the quick six. */
  fullPicker: boolean;
  renderedRoom: string | null;
} = { client: null, editing: null, pickerFor: null, fullPicker: false, renderedRoom: null };

let renderer: () => void = () => undefined;
let renderQueued = false;

/** Sets what scheduleRender runs (render.ts, set by main.ts), so views can ask for a render without importing it. */
export function setRenderer(render: () => void): void {
  renderer = render;
}

/** Renders once on the next frame, however many changes come before it. */
export function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderer();
  });
}
