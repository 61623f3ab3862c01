// scripts/policies.ts: one organization's settings → the policy file per
// browser and platform. The committed docs/policies must be what the script
// makes of docs/policies/example-settings.json, and each format must carry the
// settings unchanged (read back here as the browser would read it: JSON, the
// Windows registry tree Chrome maps with the schema, a macOS plist). The Linux
// files are loaded by real browsers in tests/e2e/policy-{chromium,firefox}.e2e.ts.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR, exampleInput, policyFiles, type PolicyFiles } from '../../scripts/policies';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}
const managedSchema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../public/managed_schema.json'), 'utf8')) as Schema;
const input = exampleInput();
const files = policyFiles(input);

/** A .reg file as key path → values (strings and dwords). */
function readReg(text: string): Map<string, Map<string, string | number>> {
  const keys = new Map<string, Map<string, string | number>>();
  let current: Map<string, string | number> | undefined;
  for (const line of text.split('\r\n')) {
    const key = /^\[(.+)\]$/.exec(line);
    if (key) keys.set(key[1]!, (current = new Map()));
    const value = /^"((?:[^"\\]|\\.)*)"=(?:"((?:[^"\\]|\\.)*)"|dword:([0-9a-f]{8}))$/.exec(line);
    if (value && current) current.set(value[1]!, value[3] !== undefined ? parseInt(value[3], 16) : value[2]!.replace(/\\(.)/g, '$1'));
  }
  return keys;
}

/** What Chrome makes of a registry key, guided by the policy schema: subkeys are objects, or lists named 1, 2, … */
function fromRegistry(keys: Map<string, Map<string, string | number>>, path: string, schema: Schema): unknown {
  const values = keys.get(path) ?? new Map();
  const sub = (name: string) => `${path}\\${name}`;
  if (schema.type === 'array') {
    const out: unknown[] = [];
    for (let i = 1; values.has(String(i)) || keys.has(sub(String(i))); i++) {
      out.push(schema.items?.type === 'object' || schema.items?.type === 'array' ? fromRegistry(keys, sub(String(i)), schema.items) : values.get(String(i)));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    if (child.type === 'object' || child.type === 'array') {
      if (keys.has(sub(name))) out[name] = fromRegistry(keys, sub(name), child);
    } else if (values.has(name)) {
      const v = values.get(name);
      out[name] = child.type === 'boolean' ? v === 1 : v;
    }
  }
  return out;
}

describe('npm run policies', () => {
  it.each(Object.keys(files) as (keyof PolicyFiles)[])('docs/policies/%s is what the script makes of example-settings.json', (name) => {
    expect(readFileSync(join(EXAMPLE_DIR, name), 'utf8')).toBe(files[name]);
  });

  it('Chromium on Linux: force-installs from the update URL, pre-grants the microphone, carries the settings', () => {
    const doc = JSON.parse(files['chromium-linux.json']) as Record<string, unknown>;
    expect(doc).toEqual({
      ExtensionSettings: { [input.chromeId]: { installation_mode: 'force_installed', update_url: input.chromeUpdateUrl, toolbar_pin: 'force_pinned' } },
      AudioCaptureAllowedUrls: [`chrome-extension://${input.chromeId}`],
      '3rdparty': { extensions: { [input.chromeId]: input.settings } },
    });
  });

  it('Firefox: force-installs from the install URL and carries the settings', () => {
    expect(JSON.parse(files['firefox-policies.json'])).toEqual({
      policies: {
        ExtensionSettings: { 'earshot@earshot.dev': { installation_mode: 'force_installed', install_url: input.firefoxInstallUrl } },
        '3rdparty': { Extensions: { 'earshot@earshot.dev': input.settings } },
      },
    });
  });

  it('Chrome on Windows: the registry tree Chrome reads back is the settings, ExtensionSettings a JSON string', () => {
    const reg = readReg(files['chrome-windows.reg']);
    const root = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome';
    expect(files['chrome-windows.reg'].startsWith('Windows Registry Editor Version 5.00\r\n')).toBe(true);
    expect(JSON.parse(String(reg.get(root)?.get('ExtensionSettings')))).toEqual(JSON.parse(files['chromium-linux.json']).ExtensionSettings);
    expect(fromRegistry(reg, `${root}\\AudioCaptureAllowedUrls`, { type: 'array', items: { type: 'string' } })).toEqual([`chrome-extension://${input.chromeId}`]);
    expect(fromRegistry(reg, `${root}\\3rdparty\\extensions\\${input.chromeId}\\policy`, managedSchema)).toEqual(input.settings);
  });

  it("macOS: one profile with Chrome's policy, Earshot's managed storage domain and Firefox's policies", () => {
    const profile = parsePlist(files['earshot.mobileconfig']) as { PayloadType: string; PayloadContent: Record<string, unknown>[] };
    expect(profile.PayloadType).toBe('Configuration');
    const byType = new Map(profile.PayloadContent.map((p) => [p.PayloadType as string, p]));
    const chrome = JSON.parse(files['chromium-linux.json']) as Record<string, unknown>;
    expect(byType.get('com.google.Chrome')).toMatchObject({ ExtensionSettings: chrome.ExtensionSettings, AudioCaptureAllowedUrls: chrome.AudioCaptureAllowedUrls });
    expect(byType.get(`com.google.Chrome.extensions.${input.chromeId}`)).toMatchObject(input.settings);
    expect(byType.get('org.mozilla.firefox')).toMatchObject({ EnterprisePoliciesEnabled: true, '3rdparty': { Extensions: { 'earshot@earshot.dev': input.settings } } });
    // Stable payload UUIDs: a re-deployed profile replaces the old one.
    expect(new Set(profile.PayloadContent.map((p) => p.PayloadUUID)).size).toBe(3);
    expect(policyFiles(input)['earshot.mobileconfig']).toBe(files['earshot.mobileconfig']);
  });

  it('refuses settings Earshot would refuse, naming the field and the reason, and a malformed id', () => {
    expect(() => policyFiles({ ...input, settings: { ...input.settings, pbx: { wsUrl: 'ftp://pbx.example.com' } } })).toThrow(/pbx\.wsUrl: .*WebSocket URL/);
    expect(() => policyFiles({ ...input, chromeId: 'not-an-id' })).toThrow(/32 letters a–p/);
  });
});
