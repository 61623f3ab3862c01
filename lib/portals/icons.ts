import type { CompiledAdapter } from './scan';
import { IconView } from './icon-view';
import { findRows, readExtension, readRow, rowOf, type AgentRow } from './scan';

/** Work per slice before yielding to the page (a long task is 50 ms). */
const SLICE_BUDGET_MS = 8;

export { ICON_TAG } from './icon-view';

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
  onActivate: (agent: { extension: string; name?: string }, event: Event, row: Element) => void;
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
  /** The icon with keyboard focus (its host is the document's active element). */
  private focused: Entry | undefined;
  /** The agents whose hovered / focused icon left with a re-rendered row: their new row's icon takes it back. */
  private carried: { hover?: string; focus?: string } = {};
  /** What onAgentsChanged was last told; undefined: tell whatever comes next, even nothing. */
  private lastReported: string | undefined;
  private readonly benchmarking: boolean;
  private readonly view: IconView;

  constructor(private readonly options: IconManagerOptions) {
    const { doc } = options;
    this.view = new IconView(doc);
    this.benchmarking = doc.querySelector('meta[name="earshot-bench"]') !== null;
    this.observer = new (doc.defaultView?.MutationObserver ?? MutationObserver)((records) => this.onMutations(records));
    doc.addEventListener('click', this.onClick, true);
    doc.addEventListener('pointerover', this.onPointerOver, true);
    doc.addEventListener('focusin', this.onPointerOver, true);
    doc.addEventListener('focusin', this.onFocusIn, true);
    doc.addEventListener('focusout', this.onFocusOut, true);
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
    doc.removeEventListener('focusin', this.onFocusIn, true);
    doc.removeEventListener('focusout', this.onFocusOut, true);
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
        // Hover and keyboard focus go with the agent to the row that replaces this one.
        if (entry === this.hovered) this.carried.hover = entry.agent.extension;
        if (entry === this.focused) this.carried.focus = entry.agent.extension;
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
    // A row that did not come back takes nothing back.
    this.carried = {};
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
      const { host, button } = this.view.create();
      entry.host = host;
      entry.button = button;
      this.byHost.set(host, entry);
      this.label(entry);
      this.applyVisibility(entry);
      entry.agent.slot.append(host);
      this.takeBack(entry);
      return;
    }
    this.label(entry);
    this.applyVisibility(entry);
  }

  /**
   * A new icon for an agent whose icon was hovered or focused when the portal
   * re-rendered its row: hovered again in the same task (no frame without it),
   * and focused again unless the user has focused something else since.
   */
  private takeBack(entry: Entry): void {
    const { host, button } = entry;
    const extension = entry.agent.extension;
    if (!host || !button) return;
    // Focus first: the focus events it fires may pass through the hover and focus handlers.
    if (this.carried.focus === extension) {
      this.carried.focus = undefined;
      const active = this.options.doc.activeElement;
      if (!host.hidden && (active === null || active === this.options.doc.body)) {
        // focusVisible: the ring shows as it did (a keyboard user's focus); not in every browser's types yet.
        button.focus({ preventScroll: true, focusVisible: true } as FocusOptions);
        this.focused = entry;
      }
    }
    if (this.carried.hover === extension) {
      this.carried.hover = undefined;
      if (this.hovered !== entry) this.hovered?.host?.removeAttribute('data-hover');
      this.hovered = entry;
      host.setAttribute('data-hover', '');
    }
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
    if (this.focused === entry) this.focused = undefined;
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
    this.options.onActivate({ extension: entry.agent.extension, ...(entry.agent.name ? { name: entry.agent.name } : {}) }, event, entry.agent.row);
  };

  private readonly onFocusIn = (event: Event): void => {
    this.focused = event.target ? this.byHost.get(event.target) : undefined;
  };

  /**
   * Focus leaving an icon: forgotten, unless the icon is leaving the page (a
   * re-render removes the focused row; the browser then focuses nothing, and
   * may or may not say so). Told apart a task later: by then a re-render has
   * been collected and its row's icon has taken the focus back.
   */
  private readonly onFocusOut = (event: Event): void => {
    const entry = event.target ? this.byHost.get(event.target) : undefined;
    if (!entry || entry !== this.focused) return;
    setTimeout(() => {
      if (this.focused === entry && entry.host?.isConnected && this.options.doc.activeElement !== entry.host) this.focused = undefined;
    }, 0);
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
