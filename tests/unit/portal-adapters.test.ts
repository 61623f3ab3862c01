import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { earshotLabAdapter } from '@/lib/portals/earshot-lab';
import { resolveAdapter, scopeFromText } from '@/lib/portals';
import { compileAdapter, findRows, readRow, readUser } from '@/lib/portals/scan';

const fixture = (name: string) => readFileSync(`tests/fixtures/portals/${name}.html`, 'utf8');

function load(name: string): Document {
  document.documentElement.innerHTML = new DOMParser().parseFromString(fixture(name), 'text/html').documentElement.innerHTML;
  return document;
}

/** A portal we have never seen, fitted by policy selectors only. */
const genericPolicy = {
  rows: 'ul.roster > li.roster-item',
  extension: '.num',
  extensionPattern: '^Ext\\. (\\S+)$',
  name: '.who',
  iconSlot: '.tools',
  call: '.presence',
  onCallPattern: '^talking$',
  userScope: '#whoami',
  userExtension: '#whoami',
};

describe('earshot-lab adapter on the lab portal fixture', () => {
  beforeEach(() => load('earshot-lab'));
  const compiled = compileAdapter(earshotLabAdapter);

  it('finds every row and reads extension, name, slot and the portal call column', () => {
    const rows = findRows(document, compiled).map((row) => readRow(row, compiled));
    expect(rows.map((r) => r && { extension: r.extension, name: r.name, onCall: r.portalOnCall, slot: r.slot.className })).toEqual([
      { extension: '1001', name: 'Alice Agent', onCall: true, slot: 'agent-actions' },
      { extension: '1006', name: 'Frank Agent', onCall: true, slot: 'agent-actions' },
      { extension: '1008', name: 'Hank Agent', onCall: false, slot: 'agent-actions' },
      undefined, // 101@evil.example: never an agent Earshot would dial
    ]);
  });

  it('reads the signed-in user from the header', () => {
    expect(readUser(document, earshotLabAdapter)).toEqual({ scope: 'Call Center Supervisor', extension: '2001' });
  });
});

describe('generic adapter from policy selectors', () => {
  beforeEach(() => load('generic-crm'));

  it('fits a portal it has never seen', () => {
    const compiled = compileAdapter(resolveAdapter('generic', genericPolicy));
    const rows = findRows(document, compiled).map((row) => readRow(row, compiled));
    expect(rows.map((r) => r && [r.extension, r.name, r.portalOnCall])).toEqual([
      ['301', 'Ivy <b>Bold</b>', true], // the name is text: markup stays text
      ['302', 'Jon', false],
      undefined, // "303;transport=tcp" is refused
    ]);
  });

  it('refuses an invalid selector from policy by field, and the scanner tolerates one that got through (finds nothing instead of throwing)', () => {
    expect(() => resolveAdapter('generic', { ...genericPolicy, rows: 'li[' })).toThrow('The generic portal adapter is incomplete: rows: not a valid CSS selector (Expected name, found ');
    const compiled = compileAdapter({ ...resolveAdapter('generic', genericPolicy), rows: 'li[' });
    expect(findRows(document, compiled)).toEqual([]);
  });

  it('reports a generic adapter with a missing selector field by name', () => {
    expect(() => resolveAdapter('generic', { rows: 'li' })).toThrow(/generic portal adapter is incomplete: extension/);
  });

  it('refuses an unknown adapter id', () => {
    expect(() => resolveAdapter('nope')).toThrow('Unknown portal adapter "nope".');
  });
});

describe('scopeFromText', () => {
  it.each([
    ['Call Center Supervisor', 'Call Center Supervisor'],
    ['  call center   supervisor ', 'Call Center Supervisor'],
    ['Basic User', 'Basic User'],
    ['Supervisor', undefined],
    ['', undefined],
  ])('%j → %j', (input, scope) => {
    expect(scopeFromText(input)).toBe(scope);
  });
});
