import type { CompiledAdapter } from './scan';
import { findRows, readExtension, readRow, rowOf, type AgentRow } from './scan';

/** Work per slice before yielding to the page (a long task is 50 ms). */
const SLICE_BUDGET_MS = 8;

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
  agent: AgentRow;
  /** On screen (in the viewport, rendered): only such rows get an icon element and are reported. */
  visible: boolean;
  host?: HTMLElement;
  button?: HTMLButtonElement;
}

export interface IconManagerOptions {
  doc: Document;
  compiled: CompiledAdapter;
  /** Whether the agent is on an active call now (engine dialog state, else the portal's own column). */
  isOnCall: (agent: AgentRow) => boolean;
  /** A trusted click on Earshot's icon. Untrusted (scripted) clicks never get here. */
  onActivate: (agent: { extension: string; name?: string }, event: Event) => void;
  /**
   * The agents whose rows are on screen now: the only ones worth watching (each costs a SIP
   * subscription), the whole list each time. Called once at start even when it is empty, so a new
   * document always replaces what an earlier one of the frame showed; debounce in the caller if needed.
   */
  onAgentsChanged?: (agents: { extension: string; name?: string; otherParty?: string }[]) => void;
  /** Give icons only to rows on screen (IntersectionObserver). Default: when the browser has it. */
  lazy?: boolean;
  /** The portal changed its page (once per batch of mutations, icons enabled or not): e.g. someone signed in. */
  onPageChange?: () => void;
  /** Ends the manager ({@link IconManager.destroy}) when aborted: the content script's lifetime. */
  signal?: AbortSignal;
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
  private readonly io: IntersectionObserver | undefined;
  private enabled = true;
  private dirty = new Set<Node>();
  private collecting = false;
  /** Rows to (re-)read, in page order. */
  private readonly queue = new Set<Element>();
  private draining: ReturnType<typeof setTimeout> | undefined;
  private scanStarted: number | undefined;
  /** Extensions whose visible rows the portal just removed (re-render in progress). */
  private readonly recentlyVisible = new Set<string>();
  private hovered: Entry | undefined;
  /** What onAgentsChanged was last told; undefined: tell whatever comes next, even nothing. */
  private lastReported: string | undefined;
  private readonly benchmarking: boolean;
  /** The shared icon stylesheet; null when adopting stylesheets is not possible here. */
  private sheet: CSSStyleSheet | null | undefined;

  constructor(private readonly options: IconManagerOptions) {
    const { doc } = options;
    this.benchmarking = doc.querySelector('meta[name="earshot-bench"]') !== null;
    this.observer = new (doc.defaultView?.MutationObserver ?? MutationObserver)((records) => this.onMutations(records));
    doc.addEventListener('click', this.onClick, true);
    doc.addEventListener('pointerover', this.onPointerOver, true);
    doc.addEventListener('focusin', this.onPointerOver, true);
    const IO = doc.defaultView?.IntersectionObserver;
    this.io =
      options.lazy !== false && IO
        ? new IO((records) => this.onIntersect(records))
        : undefined;
    this.observer.observe(doc.documentElement, { childList: true, subtree: true, characterData: true });
    options.signal?.addEventListener('abort', () => this.destroy(), { once: true });
    this.scan(doc);
  }

  /** Shows icons (true) or removes them all (false: the user may not monitor, so nobody is worth watching). */
  setEnabled(enabled: boolean): void {
    if (this.enabled === enabled) return;
    this.enabled = enabled;
    if (enabled) {
      this.scan(this.options.doc);
      return;
    }
    for (const row of [...this.entries.keys()]) this.remove(row);
    this.report();
  }

  /** Tells onAgentsChanged the current list again, changed or not (the background may have forgotten it). */
  reportAgain(): void {
    this.lastReported = undefined;
    this.report();
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
    this.io?.disconnect();
    clearTimeout(this.draining);
    this.queue.clear();
    doc.removeEventListener('click', this.onClick, true);
    doc.removeEventListener('pointerover', this.onPointerOver, true);
    doc.removeEventListener('focusin', this.onPointerOver, true);
    for (const row of [...this.entries.keys()]) this.remove(row);
    this.enabled = false;
  }

  /** Processes pending mutations and queued rows now, in one go (tests; otherwise batched and sliced). */
  flush(): void {
    this.collect();
    this.drain(Number.POSITIVE_INFINITY);
  }

  /** Queues every row under `root`; the first scan of a big list is sliced like any update. */
  private scan(root: ParentNode): void {
    if (!this.enabled) return;
    this.scanStarted ??= this.now();
    for (const row of findRows(root, this.options.compiled)) this.queue.add(row);
    // A pass even with no row: it reports (a page without agents watches nobody).
    this.draining ??= setTimeout(() => this.drain(SLICE_BUDGET_MS), 0);
  }

  /** Turns the mutations seen since the last pass into rows to re-read; forgets rows that left the page. */
  private collect(): void {
    this.collecting = false;
    const roots = this.dirty;
    this.dirty = new Set();
    if (!this.enabled) return;
    for (const [row, entry] of this.entries) {
      if (!row.isConnected || (entry.host && !entry.host.isConnected)) {
        // A re-render replaces rows in place: the new row of a visible agent is visible too.
        if (entry.visible) this.recentlyVisible.add(entry.agent.extension);
        this.remove(row);
      }
    }
    for (const node of roots) {
      if (!node.isConnected) continue;
      const element = node.nodeType === 1 ? (node as Element) : node.parentElement;
      if (!element) continue;
      const row = rowOf(element, this.options.compiled);
      if (row) this.queue.add(row);
      else for (const found of findRows(element, this.options.compiled)) this.queue.add(found);
    }
  }

  /**
   * Still inside the portal's own task (the mutation microtask): only the rows
   * that replace a row which had its icon, so a re-render never flickers. The
   * rest waits for Earshot's own sliced tasks, keeping the portal's task short.
   */
  private drainUrgent(): void {
    if (!this.enabled || this.recentlyVisible.size === 0) return;
    const started = this.now();
    let done = 0;
    for (const row of this.queue) {
      const extension = readExtension(row, this.options.compiled);
      if (extension === undefined || !this.recentlyVisible.has(extension)) continue;
      this.queue.delete(row);
      this.upsert(row);
      if (++done % 16 === 0 && this.now() - started > SLICE_BUDGET_MS) break;
    }
    this.measure('earshot:slice', started);
  }

  /**
   * Reads queued rows until the time budget is spent, then yields to the page
   * and goes on in the next task: Earshot never causes a long task, however
   * long the agent list.
   */
  private drain(budgetMs: number): void {
    this.draining = undefined;
    if (!this.enabled) {
      this.queue.clear();
      return;
    }
    const started = this.now();
    let done = 0;
    for (const row of this.queue) {
      this.queue.delete(row);
      this.upsert(row);
      if (++done % 16 === 0 && this.now() - started > budgetMs) break;
    }
    this.measure('earshot:slice', started);
    if (this.queue.size > 0) {
      this.draining = setTimeout(() => this.drain(SLICE_BUDGET_MS), 0);
      return;
    }
    this.recentlyVisible.clear();
    this.report();
    if (this.scanStarted !== undefined) {
      this.measure('earshot:first-scan', this.scanStarted);
      this.scanStarted = undefined;
    }
  }

  private schedule(): void {
    if (this.draining === undefined && this.queue.size > 0) this.draining = setTimeout(() => this.drain(SLICE_BUDGET_MS), 0);
  }

  private now(): number {
    return this.options.doc.defaultView?.performance.now() ?? 0;
  }

  /**
   * A User Timing entry per pass, so the benchmark can read Earshot's own cost
   * from the page's timeline. Only on pages that ask for it (bench/portal.html
   * has `<meta name="earshot-bench">`): entries would pile up otherwise.
   */
  private measure(name: string, start: number): void {
    if (!this.benchmarking) return;
    try {
      this.options.doc.defaultView?.performance.measure(name, { start, end: this.now() });
    } catch {
      // User Timing unavailable: nothing to record.
    }
  }

  private onMutations(records: MutationRecord[]): void {
    for (const record of records) {
      if (this.isOurs(record)) continue;
      this.dirty.add(record.target);
      for (const node of record.addedNodes) this.dirty.add(node);
    }
    if (this.dirty.size > 0 && !this.collecting) {
      this.collecting = true;
      queueMicrotask(() => {
        this.options.onPageChange?.();
        this.collect();
        this.drainUrgent();
        // Nothing left: finish now (report, forget the re-render); else in Earshot's own tasks.
        if (this.queue.size === 0) this.drain(SLICE_BUDGET_MS);
        else this.schedule();
      });
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
    let entry = this.entries.get(row);
    if (!agent) {
      if (entry) this.remove(row);
      return;
    }
    if (!entry) {
      // No flicker on re-render: a row replacing a visible one gets its icon in this same task.
      entry = { agent, visible: this.io === undefined || this.recentlyVisible.has(agent.extension) };
      this.entries.set(row, entry);
      this.io?.observe(row);
    }
    entry.agent = agent;
    if (entry.visible) this.show(entry);
  }

  private onIntersect(records: IntersectionObserverEntry[]): void {
    for (const record of records) {
      const entry = this.entries.get(record.target);
      if (!entry) continue;
      entry.visible = record.isIntersecting;
      if (entry.visible && this.enabled) this.show(entry);
    }
    this.report();
  }

  /** Gives a row its icon (once; again if the portal moved the row's slot) and updates it. */
  private show(entry: Entry): void {
    if (!entry.host || entry.host.parentNode !== entry.agent.slot) {
      entry.host?.remove();
      const { host, button } = this.createView();
      entry.host = host;
      entry.button = button;
      this.byHost.set(host, entry);
      this.label(entry);
      this.applyVisibility(entry);
      entry.agent.slot.append(host);
      return;
    }
    this.label(entry);
    this.applyVisibility(entry);
  }

  private createView(): { host: HTMLElement; button: HTMLButtonElement } {
    const { doc } = this.options;
    const host = doc.createElement(ICON_TAG);
    const shadow = host.attachShadow({ mode: 'closed' });
    const button = doc.createElement('button');
    button.type = 'button';
    const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', SPEAKER_SVG_PATH);
    svg.append(path);
    button.append(svg);
    this.style(shadow);
    shadow.append(button);
    return { host, button };
  }

  /**
   * One constructed stylesheet shared by every icon (parsing the CSS once
   * per row costs more than everything else together); a <style> per root
   * where adopting is refused (Firefox content-script wrappers).
   */
  private style(shadow: ShadowRoot): void {
    if (this.sheet === undefined) {
      try {
        const Sheet = this.options.doc.defaultView?.CSSStyleSheet ?? CSSStyleSheet;
        const sheet = new Sheet();
        sheet.replaceSync(ICON_CSS);
        shadow.adoptedStyleSheets = [sheet];
        this.sheet = sheet;
        return;
      } catch {
        this.sheet = null;
      }
    }
    if (this.sheet) {
      shadow.adoptedStyleSheets = [this.sheet];
      return;
    }
    const style = this.options.doc.createElement('style');
    style.textContent = ICON_CSS;
    shadow.append(style);
  }

  /** Accessible name and tooltip; the host carries the extension so the page (and tests) can see which row it is on. */
  private label({ host, button, agent }: Entry): void {
    if (!host || !button) return;
    const text = `Listen to ${agent.name ? `${agent.name} (${agent.extension})` : `extension ${agent.extension}`}`;
    if (button.getAttribute('aria-label') === text) return;
    button.setAttribute('aria-label', text);
    host.title = text;
    host.setAttribute('data-extension', agent.extension);
  }

  private applyVisibility(entry: Entry): void {
    if (!entry.host) return;
    const show = this.enabled && this.options.isOnCall(entry.agent);
    if (entry.host.hidden === !show) return;
    entry.host.hidden = !show;
  }

  private remove(row: Element): void {
    const entry = this.entries.get(row);
    if (!entry) return;
    this.entries.delete(row);
    this.io?.unobserve(row);
    if (this.hovered === entry) this.hovered = undefined;
    entry.host?.remove();
  }

  private report(): void {
    const agents = [...this.entries.values()].filter((e) => e.visible).map(({ agent: { extension, name, otherParty } }) => ({ extension, ...(name ? { name } : {}), ...(otherParty ? { otherParty } : {}) }));
    const key = agents.map((a) => `${a.extension}:${a.name ?? ''}:${a.otherParty ?? ''}`).join('|');
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
    // The one place a user's click is told from a page script's click() or dispatchEvent: the browser
    // sets isTrusted, and the target is our host (byHost), whose closed shadow root a page cannot
    // reach. Nothing after this can tell the difference; the start message carries no such claim.
    if (!event.isTrusted) return;
    if (!entry.host || entry.host.hidden || !entry.host.isConnected) return;
    this.options.onActivate({ extension: entry.agent.extension, ...(entry.agent.name ? { name: entry.agent.name } : {}) }, event);
  };

  private readonly onPointerOver = (event: Event): void => {
    const target = event.target as Element | null;
    const row = target && typeof target.closest === 'function' ? rowOf(target, this.options.compiled) : null;
    const entry = row ? this.entries.get(row) : undefined;
    if (entry === this.hovered) return;
    this.hovered?.host?.removeAttribute('data-hover');
    this.hovered = entry;
    entry?.host?.setAttribute('data-hover', '');
  };
}
