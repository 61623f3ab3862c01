import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { earshotLabAdapter } from '@/lib/portals/earshot-lab';
import { ICON_TAG, IconManager } from '@/lib/portals/icons';
import { compileAdapter, type AgentRow } from '@/lib/portals/scan';

const html = readFileSync('tests/fixtures/portals/earshot-lab.html', 'utf8');
const compiled = compileAdapter(earshotLabAdapter);
const icons = () => [...document.querySelectorAll<HTMLElement>(ICON_TAG)];
const visible = () => icons().filter((i) => !i.hidden).map((i) => i.dataset.extension);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

let manager: IconManager | undefined;
let activated: { extension: string; name?: string }[];
let reported: string[][];

function start(isOnCall: (agent: AgentRow) => boolean = (a) => a.portalOnCall ?? false) {
  manager = new IconManager({
    doc: document,
    compiled,
    isOnCall,
    onActivate: (agent) => activated.push(agent),
    onAgentsChanged: (agents) => reported.push(agents.map((a) => a.extension)),
    lazy: false, // happy-dom's IntersectionObserver never reports; the lazy path has its own test
  });
  // The first scan is sliced into tasks; run it now.
  manager.flush();
  return manager;
}

beforeEach(() => {
  document.body.innerHTML = new DOMParser().parseFromString(html, 'text/html').body.innerHTML;
  activated = [];
  reported = [];
});
afterEach(() => manager?.destroy());

describe('IconManager', () => {
  it('puts one icon in the actions cell of each valid row, shown only for agents on a call', () => {
    start();
    expect(icons().map((i) => [i.dataset.extension, i.parentElement?.className])).toEqual([
      ['1001', 'agent-actions'],
      ['1006', 'agent-actions'],
      ['1008', 'agent-actions'],
    ]);
    expect(visible()).toEqual(['1001', '1006']);
    expect(icons()[0]?.title).toBe('Listen to Alice Agent (1001)');
    expect(reported).toEqual([['1001', '1006', '1008']]);
  });

  it('follows the engine dialog state over the portal column after refresh', () => {
    const onCall = new Set(['1008']);
    start((a) => onCall.has(a.extension));
    expect(visible()).toEqual(['1008']);
    onCall.clear();
    onCall.add('1001');
    manager?.refresh();
    expect(visible()).toEqual(['1001']);
  });

  it('scans a long list in slices, each under the budget, without blocking the page', async () => {
    const tbody = document.querySelector('tbody') as HTMLElement;
    const template = tbody.querySelector('tr') as HTMLElement;
    for (let i = 0; i < 600; i++) {
      const tr = template.cloneNode(true) as HTMLElement;
      (tr.querySelector('.agent-ext') as HTMLElement).textContent = String(20000 + i);
      tbody.append(tr);
    }
    manager = new IconManager({ doc: document, compiled, isOnCall: () => true, onActivate: () => undefined, lazy: false });
    expect(icons()).toHaveLength(0); // nothing is done synchronously in the constructor
    await vi.waitFor(() => expect(icons()).toHaveLength(603), { timeout: 20_000 });
  }, 30_000);

  it('is idempotent: a second scan or manager pass adds nothing', async () => {
    start();
    manager?.flush();
    document.querySelector('td.agent-name')?.append(' ');
    await tick();
    expect(icons()).toHaveLength(3);
  });

  it('survives the portal re-rendering its rows (SPA style), with exactly one icon per row', async () => {
    start();
    const tbody = document.querySelector('tbody') as HTMLElement;
    const fresh = tbody.cloneNode(true) as HTMLElement;
    fresh.querySelectorAll(ICON_TAG).forEach((i) => i.remove());
    // Agent 1008 takes a call in the new render.
    (fresh.querySelector('tr[data-agent-id="1008"] .agent-status') as HTMLElement).textContent = 'On call';
    tbody.replaceWith(fresh);
    await tick();
    expect(icons()).toHaveLength(3);
    expect(visible()).toEqual(['1001', '1006', '1008']);
    expect(manager?.size).toBe(3);
  });

  it('updates when a status cell changes in place', async () => {
    start();
    (document.querySelector('tr[data-agent-id="1001"] .agent-status') as HTMLElement).textContent = 'Available';
    await tick();
    expect(visible()).toEqual(['1006']);
  });

  it('forgets removed rows (pagination, filtering) and reports the new list', async () => {
    start();
    document.querySelector('tr[data-agent-id="1006"]')?.remove();
    await tick();
    expect(manager?.size).toBe(2);
    expect(reported.at(-1)).toEqual(['1001', '1008']);
  });

  it('a page without agent rows reports an empty list at start: a new document replaces what its frame showed before', async () => {
    document.querySelector('tbody')?.replaceChildren();
    manager = new IconManager({ doc: document, compiled, isOnCall: () => true, onActivate: () => undefined, lazy: false, onAgentsChanged: (agents) => reported.push(agents.map((a) => a.extension)) });
    await tick();
    expect(reported).toEqual([[]]);
  });

  it('reports nobody once disabled (a user who may not monitor makes Earshot watch no one), and again on demand', () => {
    start();
    expect(reported).toEqual([['1001', '1006', '1008']]);
    manager?.setEnabled(false);
    expect(reported.at(-1)).toEqual([]);
    manager?.reportAgain();
    expect(reported).toEqual([['1001', '1006', '1008'], [], []]);
  });

  it('starts only on a trusted click; a page script click() or dispatchEvent starts nothing', () => {
    start();
    const icon = icons()[0] as HTMLElement;
    const rowHandler = vi.fn();
    document.querySelector('tbody')?.addEventListener('click', rowHandler);
    icon.click();
    icon.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    expect(activated).toEqual([]);
    // The portal's own row handler never sees clicks on our icon.
    expect(rowHandler).not.toHaveBeenCalled();
  });

  it('ignores a look-alike element the page adds', () => {
    start();
    const fake = document.createElement(ICON_TAG);
    document.body.append(fake);
    fake.click();
    expect(activated).toEqual([]);
  });

  it('keeps the name as text (no markup is ever interpreted)', async () => {
    start();
    (document.querySelector('tr[data-agent-id="1001"] .agent-name') as HTMLElement).textContent = '<img src=x onerror=alert(1)>';
    await tick();
    expect(icons()[0]?.title).toBe('Listen to <img src=x onerror=alert(1)> (1001)');
    expect(document.querySelectorAll('img')).toHaveLength(0);
  });

  it('shows the icon on row hover', () => {
    start();
    const cell = document.querySelector('tr[data-agent-id="1006"] .agent-call') as HTMLElement;
    cell.dispatchEvent(new Event('pointerover', { bubbles: true }));
    expect(icons().filter((i) => i.hasAttribute('data-hover')).map((i) => i.dataset.extension)).toEqual(['1006']);
  });

  it('a hovered, focused icon whose row is re-rendered wholesale is hovered and focused again in the same task', async () => {
    start();
    const cell = () => document.querySelector('tr[data-agent-id="1001"] .agent-call') as HTMLElement;
    const icon = () => document.querySelector<HTMLElement>(`${ICON_TAG}[data-extension="1001"]`)!;
    cell().dispatchEvent(new Event('pointerover', { bubbles: true }));
    // The keyboard focuses the icon (its button, in the closed shadow root: the event reaches the document from the host).
    icon().dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
    const before = icon();
    const tbody = document.querySelector('tbody') as HTMLElement;
    const fresh = tbody.cloneNode(true) as HTMLElement;
    fresh.querySelectorAll(ICON_TAG).forEach((i) => i.remove());
    tbody.replaceWith(fresh);
    // The mutation microtask gives the new row its icon: no task in between.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(icon()).not.toBe(before);
    expect(icon().hasAttribute('data-hover')).toBe(true);
    expect(document.activeElement).toBe(icon());
    // Another agent's row takes neither.
    expect(document.querySelector(`${ICON_TAG}[data-extension="1006"]`)?.hasAttribute('data-hover')).toBe(false);
  });

  it('a focus the user moved elsewhere is not taken back by a re-render', async () => {
    start();
    const icon = () => document.querySelector<HTMLElement>(`${ICON_TAG}[data-extension="1001"]`)!;
    icon().dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
    const filter = document.createElement('input');
    document.body.append(filter);
    icon().dispatchEvent(new FocusEvent('focusout', { bubbles: true, composed: true }));
    filter.focus();
    await tick();
    const tbody = document.querySelector('tbody') as HTMLElement;
    const fresh = tbody.cloneNode(true) as HTMLElement;
    fresh.querySelectorAll(ICON_TAG).forEach((i) => i.remove());
    tbody.replaceWith(fresh);
    await tick();
    expect(document.activeElement).toBe(filter);
  });

  it('tells when the portal changes its page, even while disabled, so a sign-in without reload is noticed', async () => {
    let changes = 0;
    manager = new IconManager({ doc: document, compiled, isOnCall: () => true, onActivate: () => undefined, lazy: false, onPageChange: () => changes++ });
    manager.setEnabled(false);
    const header = document.createElement('div');
    header.className = 'user-menu';
    document.body.append(header);
    await tick();
    expect(changes).toBe(1);
    header.textContent = 'Office Manager';
    await tick();
    expect(changes).toBe(2);
    expect(icons()).toHaveLength(0);
  });

  it('removes every icon when disabled (user may not monitor) and on destroy, and stops observing', async () => {
    start();
    manager?.setEnabled(false);
    expect(icons()).toHaveLength(0);
    manager?.setEnabled(true);
    manager?.flush();
    expect(icons()).toHaveLength(3);
    manager?.destroy();
    expect(icons()).toHaveLength(0);
    document.querySelector('tbody')?.append(document.querySelector('tr')?.cloneNode(true) as Node);
    await tick();
    expect(icons()).toHaveLength(0);
  });
});

describe('IconManager with lazy icons (IntersectionObserver)', () => {
  /** A fake IntersectionObserver (unit test only): the test says which rows are in view. */
  class FakeIO {
    static current: FakeIO | undefined;
    readonly observed = new Set<Element>();
    constructor(readonly callback: (records: IntersectionObserverEntry[]) => void) {
      FakeIO.current = this;
    }
    observe(el: Element) {
      this.observed.add(el);
    }
    unobserve(el: Element) {
      this.observed.delete(el);
    }
    disconnect() {
      this.observed.clear();
    }
    show(rows: Element[], isIntersecting = true) {
      this.callback(rows.map((target) => ({ target, isIntersecting }) as IntersectionObserverEntry));
    }
  }

  it('gives icons only to rows on screen and reports only those agents', () => {
    const original = window.IntersectionObserver;
    (window as unknown as { IntersectionObserver: unknown }).IntersectionObserver = FakeIO;
    try {
      manager = new IconManager({
        doc: document,
        compiled,
        isOnCall: (a) => a.portalOnCall ?? false,
        onActivate: () => undefined,
        onAgentsChanged: (agents) => reported.push(agents.map((a) => a.extension)),
      });
      manager.flush();
      expect(manager.size).toBe(3);
      expect(icons()).toHaveLength(0);
      const io = FakeIO.current as FakeIO;
      expect(io.observed.size).toBe(3);
      io.show([document.querySelector('tr[data-agent-id="1006"]') as Element]);
      expect(icons().map((i) => i.dataset.extension)).toEqual(['1006']);
      expect(reported.at(-1)).toEqual(['1006']);
      document.querySelector('tr[data-agent-id="1006"]')?.remove();
      manager.flush();
      expect(io.observed.size).toBe(2);
    } finally {
      (window as unknown as { IntersectionObserver: unknown }).IntersectionObserver = original;
    }
  });

  it('a re-rendered row that had its icon gets it back before Earshot yields (no flicker); other rows wait for its own tasks', async () => {
    const original = window.IntersectionObserver;
    (window as unknown as { IntersectionObserver: unknown }).IntersectionObserver = FakeIO;
    try {
      manager = new IconManager({ doc: document, compiled, isOnCall: () => true, onActivate: () => undefined });
      manager.flush();
      const io = FakeIO.current as FakeIO;
      io.show([document.querySelector('tr[data-agent-id="1006"]') as Element]);
      expect(visible()).toEqual(['1006']);
      // The portal re-renders every row (new elements), as single-page portals do.
      for (const row of [...document.querySelectorAll('tbody tr')]) {
        const fresh = row.cloneNode(true) as Element;
        for (const icon of fresh.querySelectorAll(ICON_TAG)) icon.remove();
        row.replaceWith(fresh);
      }
      // Run the mutation microtasks only, no task: the portal has not yielded yet.
      for (let i = 0; i < 5; i++) await Promise.resolve();
      expect(visible()).toEqual(['1006']);
      expect(manager.size).toBe(1);
      await tick();
      expect(manager.size).toBe(3);
      expect(visible()).toEqual(['1006']);
    } finally {
      (window as unknown as { IntersectionObserver: unknown }).IntersectionObserver = original;
    }
  });
});

describe('IconManager and its lifetime', () => {
  it('removes every icon and listener when its signal aborts (the content script left)', () => {
    const lifetime = new AbortController();
    manager = new IconManager({ doc: document, compiled, isOnCall: (a) => a.portalOnCall ?? false, onActivate: (a) => activated.push(a), lazy: false, signal: lifetime.signal });
    manager.flush();
    expect(icons().length).toBeGreaterThan(0);
    lifetime.abort();
    expect(icons()).toEqual([]);
    expect(manager.size).toBe(0);
  });
});
