import type { CompiledAdapter } from './scan';
import { findRows, readRow, rowOf, type AgentRow } from './scan';

/** Tag of the element Earshot adds to a row (its content lives in a closed shadow root). */
export const ICON_TAG = 'earshot-monitor-icon';

const ICON_CSS = `
:host { display: inline-flex; vertical-align: middle; margin-inline-start: 6px; }
:host([hidden]) { display: none; }
button { all: unset; box-sizing: border-box; cursor: pointer; width: 26px; height: 26px; border-radius: 50%;
  display: inline-flex; align-items: center; justify-content: center; color: #0b57d0; background: #e8f0fe;
  opacity: 0; transition: opacity 120ms; }
:host([data-hover]) button, button:focus-visible { opacity: 1; }
button:focus-visible { outline: 2px solid #0b57d0; outline-offset: 2px; }
button:hover { background: #d3e3fd; }
@media (prefers-color-scheme: dark) { button { color: #a8c7fa; background: #1f3760; } button:hover { background: #284a80; } }
svg { width: 16px; height: 16px; fill: currentColor; }
`;
const SPEAKER_SVG_PATH = 'M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z';

interface Entry {
  host: HTMLElement;
  button: HTMLButtonElement;
  agent: AgentRow;
}

export interface IconManagerOptions {
  doc: Document;
  compiled: CompiledAdapter;
  /** Whether the agent is on an active call now (engine dialog state, else the portal's own column). */
  isOnCall: (agent: AgentRow) => boolean;
  /** A trusted click on Earshot's icon. Untrusted (scripted) clicks never get here. */
  onActivate: (agent: { extension: string; name?: string }, event: Event) => void;
  /** The agents whose rows are in the page now (debounced by the caller if needed). */
  onAgentsChanged?: (agents: { extension: string; name?: string }[]) => void;
}

/**
 * Puts a speaker icon at the right of every agent row on a call, shown on
 * row hover or keyboard focus. Idempotent (one icon per row whatever the
 * number of scans), survives the portal re-rendering rows (a MutationObserver
 * re-reads only what changed), uses one delegated listener per event type,
 * and removes everything on {@link IconManager.destroy}. Row text is read
 * with textContent and written with textContent/attributes, never as HTML.
 */
export class IconManager {
  private readonly entries = new Map<Element, Entry>();
  /** Our hosts only: a page cannot add to it, so a look-alike element is never taken for ours. */
  private readonly byHost = new WeakMap<EventTarget, Entry>();
  private readonly observer: MutationObserver;
  private enabled = true;
  private dirty = new Set<Node>();
  private scheduled = false;
  private hovered: Entry | undefined;
  private lastReported = '';

  constructor(private readonly options: IconManagerOptions) {
    const { doc } = options;
    this.observer = new (doc.defaultView?.MutationObserver ?? MutationObserver)((records) => this.onMutations(records));
    doc.addEventListener('click', this.onClick, true);
    doc.addEventListener('pointerover', this.onPointerOver, true);
    doc.addEventListener('focusin', this.onPointerOver, true);
    this.observer.observe(doc.documentElement, { childList: true, subtree: true, characterData: true });
    this.scan(doc);
  }

  /** Shows icons (true) or removes them all (false: the user may not monitor). */
  setEnabled(enabled: boolean): void {
    if (this.enabled === enabled) return;
    this.enabled = enabled;
    if (enabled) this.scan(this.options.doc);
    else for (const row of [...this.entries.keys()]) this.remove(row);
  }

  /** Re-evaluates which rows show an icon (after a new state snapshot). */
  refresh(): void {
    for (const entry of this.entries.values()) this.applyVisibility(entry);
  }

  /** The rows Earshot knows (for tests and the benchmark). */
  get size(): number {
    return this.entries.size;
  }

  destroy(): void {
    const { doc } = this.options;
    this.observer.disconnect();
    doc.removeEventListener('click', this.onClick, true);
    doc.removeEventListener('pointerover', this.onPointerOver, true);
    doc.removeEventListener('focusin', this.onPointerOver, true);
    for (const row of [...this.entries.keys()]) this.remove(row);
    this.enabled = false;
  }

  /** Processes pending mutations now (tests; otherwise batched in a microtask). */
  flush(): void {
    this.scheduled = false;
    const roots = this.dirty;
    this.dirty = new Set();
    if (!this.enabled) return;
    for (const [row, entry] of this.entries) {
      if (!row.isConnected || !entry.host.isConnected) this.remove(row);
    }
    const rows = new Set<Element>();
    for (const node of roots) {
      if (!node.isConnected) continue;
      const element = node.nodeType === 1 ? (node as Element) : node.parentElement;
      if (!element) continue;
      const row = rowOf(element, this.options.compiled);
      if (row) rows.add(row);
      else for (const found of findRows(element, this.options.compiled)) rows.add(found);
    }
    for (const row of rows) this.upsert(row);
    this.report();
  }

  private scan(root: ParentNode): void {
    if (!this.enabled) return;
    for (const row of findRows(root, this.options.compiled)) this.upsert(row);
    this.report();
  }

  private onMutations(records: MutationRecord[]): void {
    for (const record of records) {
      if (this.isOurs(record)) continue;
      this.dirty.add(record.target);
      for (const node of record.addedNodes) this.dirty.add(node);
    }
    if (this.dirty.size > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Our own insertions and removals are not portal changes. */
  private isOurs(record: MutationRecord): boolean {
    if (record.type !== 'childList') return false;
    const nodes = [...record.addedNodes, ...record.removedNodes];
    return nodes.length > 0 && nodes.every((node) => this.byHost.has(node));
  }

  private upsert(row: Element): void {
    const agent = readRow(row, this.options.compiled);
    const existing = this.entries.get(row);
    if (!agent) {
      if (existing) this.remove(row);
      return;
    }
    if (existing && existing.host.parentNode === agent.slot) {
      existing.agent = agent;
      this.label(existing);
      this.applyVisibility(existing);
      return;
    }
    if (existing) this.remove(row);
    const entry = this.createEntry(agent);
    this.entries.set(row, entry);
    const host = entry.host;
    this.applyVisibility(entry);
    agent.slot.append(host);
  }

  private createEntry(agent: AgentRow): Entry {
    const { doc } = this.options;
    const host = doc.createElement(ICON_TAG);
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = ICON_CSS;
    const button = doc.createElement('button');
    button.type = 'button';
    const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', SPEAKER_SVG_PATH);
    svg.append(path);
    button.append(svg);
    shadow.append(style, button);
    const entry = { host, button, agent };
    this.byHost.set(host, entry);
    this.label(entry);
    return entry;
  }

  /** Accessible name and tooltip; the host carries the extension so the page (and tests) can see which row it is on. */
  private label({ host, button, agent }: Entry): void {
    const text = `Listen to ${agent.name ? `${agent.name} (${agent.extension})` : `extension ${agent.extension}`}`;
    if (button.getAttribute('aria-label') === text) return;
    button.setAttribute('aria-label', text);
    host.title = text;
    host.setAttribute('data-extension', agent.extension);
  }

  private applyVisibility(entry: Entry): void {
    const show = this.enabled && this.options.isOnCall(entry.agent);
    if (entry.host.hidden === !show) return;
    entry.host.hidden = !show;
  }

  private remove(row: Element): void {
    const entry = this.entries.get(row);
    if (!entry) return;
    this.entries.delete(row);
    if (this.hovered === entry) this.hovered = undefined;
    entry.host.remove();
  }

  private report(): void {
    const agents = [...this.entries.values()].map((e) => ({ extension: e.agent.extension, ...(e.agent.name ? { name: e.agent.name } : {}) }));
    const key = agents.map((a) => `${a.extension}:${a.name ?? ''}`).join('|');
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.options.onAgentsChanged?.(agents);
  }

  private readonly onClick = (event: Event): void => {
    const entry = event.target ? this.byHost.get(event.target) : undefined;
    if (!entry) return;
    // Our icon: the portal's own row handlers must not see this click.
    event.stopPropagation();
    event.preventDefault();
    if (!event.isTrusted) return;
    if (entry.host.hidden || !entry.host.isConnected) return;
    this.options.onActivate({ extension: entry.agent.extension, ...(entry.agent.name ? { name: entry.agent.name } : {}) }, event);
  };

  private readonly onPointerOver = (event: Event): void => {
    const target = event.target as Element | null;
    const row = target && typeof target.closest === 'function' ? rowOf(target, this.options.compiled) : null;
    const entry = row ? this.entries.get(row) : undefined;
    if (entry === this.hovered) return;
    this.hovered?.host.removeAttribute('data-hover');
    this.hovered = entry;
    entry?.host.setAttribute('data-hover', '');
  };
}
