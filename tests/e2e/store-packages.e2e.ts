import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';

const STORE = '.output/store';
const file = (suffix: string) => {
  const name = readdirSync(STORE).find((f) => f.endsWith(suffix));
  if (!name) throw new Error(`no *${suffix} in ${STORE}`);
  return `${STORE}/${name}`;
};
const open = async (suffix: string) => JSZip.loadAsync(readFileSync(file(suffix)));

beforeAll(() => {
  execFileSync('npm', ['run', 'zip'], { stdio: 'ignore' });
}, 180_000);

describe('npm run zip: store packages', () => {
  it('Firefox package passes web-ext lint (addons-linter) with no errors', () => {
    let out = '';
    try {
      out = execFileSync('npx', ['addons-linter', file('-firefox.zip'), '--output', 'json'], { encoding: 'utf8' });
    } catch (error) {
      out = (error as { stdout?: string }).stdout ?? '';
    }
    const report = JSON.parse(out) as { errors: { code: string; message: string }[] };
    expect(report.errors.map((e) => `${e.code}: ${e.message}`)).toEqual([]);
  }, 120_000);

  it('Chrome package: no dev key, no host permissions, managed schema, icons at every size', async () => {
    const zip = await open('-chrome.zip');
    const manifest = JSON.parse((await zip.file('manifest.json')?.async('string')) ?? '{}') as Record<string, unknown>;
    expect(manifest.key).toBeUndefined();
    expect(manifest.host_permissions ?? []).toEqual([]);
    expect(manifest.storage).toEqual({ managed_schema: 'managed_schema.json' });
    expect(Object.keys(manifest.icons as object).sort()).toEqual(['128', '16', '32', '48', '96']);
    expect(zip.file('managed_schema.json')).not.toBeNull();
    expect(zip.file('_locales/en/messages.json')).not.toBeNull();
  });

  it('sources package: what a reviewer needs to rebuild, without node_modules or the lab', async () => {
    const names = Object.keys((await open('-sources.zip')).files);
    for (const needed of ['package.json', 'package-lock.json', 'wxt.config.ts', 'tsconfig.json', 'README.md']) expect(names).toContain(needed);
    expect(names.some((n) => n.startsWith('lib/phone/'))).toBe(true);
    expect(names.filter((n) => /^(node_modules|\.output|lab|tests)\//.test(n))).toEqual([]);
  });
});
