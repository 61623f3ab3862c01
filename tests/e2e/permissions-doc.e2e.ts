import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Rows of the table in docs/permissions.md: permission → [chrome, firefox]. */
function documented(): Map<string, [boolean, boolean]> {
  const rows = new Map<string, [boolean, boolean]>();
  for (const line of readFileSync('docs/permissions.md', 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !/^(`|optional)/.test(cells[1] ?? '')) continue;
    const names = [...(cells[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    const optional = cells[1]?.startsWith('optional') ?? false;
    for (const name of names) rows.set(optional ? `optional:${name}` : name, [cells[2] === 'yes', cells[3] === 'yes']);
  }
  return rows;
}

function actual(target: string): string[] {
  const m = JSON.parse(readFileSync(`.output/${target}/manifest.json`, 'utf8')) as {
    permissions?: string[];
    host_permissions?: string[];
    optional_permissions?: string[];
    optional_host_permissions?: string[];
  };
  return [
    ...(m.permissions ?? []),
    ...(m.host_permissions ?? []),
    ...[...(m.optional_permissions ?? []), ...(m.optional_host_permissions ?? [])].map((p) => `optional:${p}`),
  ].sort();
}

describe('docs/permissions.md matches the built manifests', () => {
  const doc = documented();
  it.each([
    ['chrome-mv3', 0],
    ['firefox-mv2', 1],
  ] as const)('%s', (target, column) => {
    const expected = [...doc.entries()].filter(([, browsers]) => browsers[column]).map(([name]) => name).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(actual(target)).toEqual(expected);
  });
});
