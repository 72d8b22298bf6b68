// Small DOM helpers. Text always goes in as text nodes: nothing here ever parses HTML.

type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'text') el.textContent = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child == null || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

/**
 * Keeps a container's children equal to `items`, in order, reusing each item's element while its
 * signature is unchanged (so focus and scroll stay put) and rebuilding it when it changed.
 */
export function reconcile<T>(
  container: Element,
  items: T[],
  key: (item: T) => string,
  signature: (item: T) => string,
  build: (item: T) => HTMLElement,
): void {
  const cache = keyedCache(container);
  const wanted = new Set<string>();
  let cursor = container.firstChild;
  for (const item of items) {
    const k = key(item);
    wanted.add(k);
    const sig = signature(item);
    let entry = cache.get(k);
    let refocus = false;
    if (!entry || entry.sig !== sig) {
      const el = build(item);
      if (entry) {
        refocus = entry.el.contains(document.activeElement);
        const atCursor = entry.el === cursor;
        entry.el.replaceWith(el);
        if (atCursor) cursor = el;
      }
      entry = { el, sig };
      cache.set(k, entry);
    }
    if (entry.el !== cursor) container.insertBefore(entry.el, cursor);
    else cursor = cursor.nextSibling;
    if (refocus) entry.el.querySelector<HTMLElement>('button, input, textarea')?.focus();
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
  for (const k of cache.keys()) if (!wanted.has(k)) cache.delete(k);
}

const caches = new WeakMap<Element, Map<string, { el: HTMLElement; sig: string }>>();

function keyedCache(container: Element) {
  let cache = caches.get(container);
  if (!cache) caches.set(container, (cache = new Map()));
  return cache;
}

export function resetList(container: Element): void {
  caches.delete(container);
  container.replaceChildren();
}
