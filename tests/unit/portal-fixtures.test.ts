import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_ADAPTERS, PORTAL_ADAPTER_IDS, portalAdapterSchema } from '@/lib/portals';
import { ICON_TAG, IconManager } from '@/lib/portals/icons';
import { compileAdapter, findRows, readRow, readUser } from '@/lib/portals/scan';
import { PORTAL_ADAPTERS } from '@/lib/settings/schema';
import { mergeSettings } from '@/lib/settings';
import { toPortalAdapter } from '@/lib/settings/engine-config';
import type { PortalAdapter } from '@/lib/portals/adapter';

/**
 * The conventions of the portal adapters (refined-github's meta-test, with
 * the fixtures committed): every built-in adapter has a fixture per state
 * that matters, each fixture's expected rows are exactly what scan.ts finds
 * with that adapter, and Earshot's icon never lets a click reach the
 * portal's own navigation.
 */

const ROOT = 'tests/fixtures/portals';
/** The states every adapter's page is seen in (../shared/design/portals.md, issue 13). */
const REQUIRED_STATES = ['idle', 'ringing', 'on-call', 'wrap-up', 'no-monitor-right', 'session-expired'] as const;

interface Expected {
  rows: { extension: string; name?: string; onCall?: boolean; otherParty?: string; monitorRight?: false }[];
  user?: { scope?: string; extension?: string; monitorRight?: boolean };
}

/**
 * The worked example of docs/managed-policy.md: its policy JSON, read from the doc itself
 * (the block after the marker), through the real settings merge to the generic adapter.
 * Its fixtures are in generic-cards/, so the doc and the fixtures cannot drift.
 */
function genericCardsPolicy(): unknown {
  const doc = readFileSync('docs/managed-policy.md', 'utf8');
  const after = doc.slice(doc.indexOf('<!-- generic-cards policy'));
  const block = /```json\n([\s\S]*?)\n```/.exec(after)?.[1];
  if (!block) throw new Error('docs/managed-policy.md: no generic-cards policy block');
  return JSON.parse(block);
}
function genericCardsAdapter(): PortalAdapter {
  const merged = mergeSettings({ managed: genericCardsPolicy() });
  if (merged.errors.length > 0) throw new Error(merged.errors.map((e) => e.message).join('; '));
  const result = toPortalAdapter(merged.settings);
  if (!('adapter' in result)) throw new Error(result.error);
  return result.adapter;
}

const adapters = Object.values(BUILT_IN_ADAPTERS);
/** Fixture folders: each built-in adapter's, and the generic adapter's worked example. */
const fixtureSets: { dir: string; adapter: PortalAdapter }[] = [
  ...adapters.map((adapter) => ({ dir: adapter.id, adapter })),
  { dir: 'generic-cards', adapter: genericCardsAdapter() },
];
const fixtures = fixtureSets.flatMap(({ dir, adapter }) =>
  existsSync(`${ROOT}/${dir}`)
    ? readdirSync(`${ROOT}/${dir}`)
        .filter((file) => file.endsWith('.html'))
        .map((file) => ({ dir, adapter, state: file.replace(/\.html$/, '') }))
    : [],
);

function load(dir: string, state: string): Expected {
  const html = readFileSync(`${ROOT}/${dir}/${state}.html`, 'utf8');
  document.documentElement.innerHTML = new DOMParser().parseFromString(html, 'text/html').documentElement.innerHTML;
  return JSON.parse(readFileSync(`${ROOT}/${dir}/${state}.json`, 'utf8')) as Expected;
}

let manager: IconManager | undefined;
afterEach(() => manager?.destroy());

describe('portal adapters: conventions', () => {
  it('lists every adapter id once: built-in ones, generic, the settings schema and the policy schema', () => {
    expect([...PORTAL_ADAPTERS]).toEqual([...PORTAL_ADAPTER_IDS]);
    expect(Object.keys(BUILT_IN_ADAPTERS).sort()).toEqual(PORTAL_ADAPTER_IDS.filter((id) => id !== 'generic').sort());
    const policy = JSON.parse(readFileSync('public/managed_schema.json', 'utf8')) as {
      properties: { portal: { properties: { adapter: { enum: string[] } } } };
    };
    expect(policy.properties.portal.properties.adapter.enum).toEqual([...PORTAL_ADAPTER_IDS]);
    const doc = readFileSync('docs/managed-policy.md', 'utf8');
    for (const id of PORTAL_ADAPTER_IDS) expect(doc).toContain(`\`${id}\``);
  });

  it.each(fixtureSets.map(({ dir, adapter }) => [dir, adapter] as const))('%s: a valid adapter, in its own file (or the policy of docs/managed-policy.md), with a fixture and expectation per required state', (id, adapter) => {
    expect(portalAdapterSchema.parse(adapter)).toEqual(adapter);
    if (adapter.id !== 'generic') expect(existsSync(`lib/portals/${id}.ts`)).toBe(true);
    for (const state of REQUIRED_STATES) {
      expect(existsSync(`${ROOT}/${id}/${state}.html`), `${id}/${state}.html`).toBe(true);
      expect(existsSync(`${ROOT}/${id}/${state}.json`), `${id}/${state}.json`).toBe(true);
    }
    // Every built-in adapter answers how its page refreshes and how monitoring starts (docs/portals.md).
    if (adapter.id !== 'generic') expect(adapter.refresh?.kind).toBeDefined();
    if (adapter.id !== 'generic') expect(adapter.starts).toBeDefined();
  });
});

describe.each(fixtures.map(({ dir, adapter, state }) => [`${dir}/${state}`, dir, adapter, state] as const))('%s', (_name, dir, adapter, state) => {
  const compiled = compileAdapter(adapter);

  it('scan.ts finds exactly the expected rows', () => {
    const expected = load(dir, state);
    const rows = findRows(document, compiled)
      .map((row) => readRow(row, compiled))
      .filter((row) => row !== undefined)
      .map((row) => ({
        extension: row.extension,
        ...(row.name !== undefined ? { name: row.name } : {}),
        ...(row.portalOnCall !== undefined ? { onCall: row.portalOnCall } : {}),
        ...(row.otherParty !== undefined ? { otherParty: row.otherParty } : {}),
        ...(row.monitorRight !== undefined ? { monitorRight: row.monitorRight } : {}),
      }));
    expect(rows).toEqual(expected.rows);
    if (expected.user) expect(readUser(document, adapter)).toEqual(expected.user);
  });

  it("a click on Earshot's icon reaches neither a link nor the portal's row handlers", () => {
    load(dir, state);
    const rows = findRows(document, compiled).map((row) => readRow(row, compiled)).filter((row) => row !== undefined);
    for (const row of rows) expect(row.slot.closest('a[href]'), `${row.extension}: icon slot inside a link`).toBeNull();
    // The portal's own handlers, as FusionPBX binds them: every cell but the no-link kinds, and the row itself.
    const navigations: string[] = [];
    for (const row of rows) {
      row.row.addEventListener('click', () => navigations.push(`row ${row.extension}`));
      for (const cell of row.row.querySelectorAll('td:not(.no-link):not(.checkbox):not(.button):not(.action-button)')) {
        cell.addEventListener('click', () => navigations.push(`cell ${row.extension}`));
      }
    }
    document.addEventListener('click', () => navigations.push('document (delegated)'));
    manager = new IconManager({ doc: document, compiled, isOnCall: () => true, onActivate: () => undefined, lazy: false });
    manager.flush();
    const hosts = [...document.querySelectorAll<HTMLElement>(ICON_TAG)];
    expect(hosts.length).toBe(rows.length);
    for (const host of hosts) {
      const click = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
      host.dispatchEvent(click);
      expect(click.defaultPrevented).toBe(true);
    }
    expect(navigations).toEqual([]);
  });
});

describe('fusionpbx-call-center: the wholesale re-render every 1.5 s', () => {
  it('gives every row its icon again in the same task, with the callers table of the new fragment', async () => {
    load('fusionpbx-call-center', 'on-call');
    const compiled = compileAdapter(BUILT_IN_ADAPTERS['fusionpbx-call-center']);
    const reported: { extension: string; otherParty?: string }[][] = [];
    manager = new IconManager({ doc: document, compiled, isOnCall: () => true, onActivate: () => undefined, onAgentsChanged: (a) => reported.push(a), lazy: false });
    manager.flush();
    const fragment = document.querySelector('#ajax_response')!;
    // The next fetch: Alice's caller is someone else now.
    fragment.innerHTML = fragment.innerHTML.replace('<td>5550101</td>', '<td>5550177</td>');
    await Promise.resolve();
    expect([...document.querySelectorAll<HTMLElement>(ICON_TAG)].map((host) => host.dataset.extension)).toEqual(['1001', '1002', '1003', '1004', '1005']);
    manager.flush();
    expect(reported.at(-1)?.find((agent) => agent.extension === '1001')?.otherParty).toBe('5550177');
  });
});
