import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Manifest = Record<string, unknown> & {
  manifest_version: number;
  permissions?: string[];
  host_permissions?: string[];
  optional_host_permissions?: string[];
  optional_permissions?: string[];
  content_scripts?: unknown[];
};

const read = (target: string): Manifest =>
  JSON.parse(readFileSync(`.output/${target}/manifest.json`, 'utf8')) as Manifest;

const PORTAL_PATTERNS = ['https://*/*', 'http://*/*'];

describe('built manifests', () => {
  it('Chrome MV3: side panel, offscreen, managed schema, no required host permissions', () => {
    const m = read('chrome-mv3');
    expect(m.manifest_version).toBe(3);
    expect(m.side_panel).toEqual({ default_path: 'sidepanel.html' });
    expect([...(m.permissions ?? [])].sort()).toEqual(['alarms', 'offscreen', 'scripting', 'sidePanel', 'storage']);
    expect(m.host_permissions ?? []).toEqual([]);
    expect(m.content_scripts ?? []).toEqual([]);
    expect(m.optional_host_permissions).toEqual(PORTAL_PATTERNS);
    expect(m.storage).toEqual({ managed_schema: 'managed_schema.json' });
    expect(m.background).toMatchObject({ service_worker: 'background.js' });
    expect(JSON.stringify(m)).not.toContain('<all_urls>');
  });

  it('Firefox MV2: sidebar, persistent background page, fixed gecko id, optional portal permission', () => {
    const m = read('firefox-mv2');
    expect(m.manifest_version).toBe(2);
    expect(m.sidebar_action).toMatchObject({ default_panel: 'sidepanel.html' });
    const background = m.background as { scripts?: string[]; persistent?: boolean; page?: string };
    expect(background.persistent ?? true).toBe(true);
    expect(background.scripts ?? background.page).toBeTruthy();
    expect(m.browser_specific_settings).toMatchObject({
      gecko: {
        id: 'earshot@earshot.dev',
        strict_min_version: '140.0',
        // Declared in docs/privacy.md: credentials and call audio leave the browser, to the organization's PBX.
        data_collection_permissions: { required: ['authenticationInfo', 'personalCommunications'] },
      },
    });
    expect([...(m.permissions ?? [])].sort()).toEqual(['scripting', 'storage']);
    expect(m.optional_permissions).toEqual(PORTAL_PATTERNS);
    expect(m.content_scripts ?? []).toEqual([]);
    expect(JSON.stringify(m)).not.toContain('<all_urls>');
  });

  it('web-ext lint finds no errors in the Firefox build', () => {
    let out = '';
    try {
      out = execFileSync('npx', ['web-ext', 'lint', '--source-dir', '.output/firefox-mv2', '--output', 'json', '--no-config-discovery'], {
        encoding: 'utf8',
      });
    } catch (error) {
      // web-ext exits non-zero when it finds errors; the JSON is still on stdout.
      out = (error as { stdout?: string }).stdout ?? '';
    }
    const report = JSON.parse(out) as { errors: { code: string; message: string; file?: string }[] };
    expect(report.errors.map((e) => `${e.code}: ${e.message} (${e.file ?? ''})`)).toEqual([]);
  }, 120_000);
});
