// `npm run policies`: one organization's Earshot settings → the policy files
// an admin copies, per browser and platform, so they cannot drift apart:
//   chromium-linux.json         /etc/opt/chrome/policies/managed/ (Chrome) or /etc/chromium/policies/managed/ (Chromium)
//   firefox-policies.json       /etc/firefox/policies/policies.json (Linux, Debian's firefox-esr too);
//                               <install dir>/distribution/policies.json (Windows, macOS)
//   chrome-windows.reg          HKLM\Software\Policies\Google\Chrome (GPO / regedit /s)
//   earshot.mobileconfig        macOS configuration profile: Chrome, Chrome's managed storage for Earshot, Firefox
// The settings are checked against Earshot's settings schema first (the one
// schema the extension validates policy with); a bad value stops the script
// with the field and the reason, and nothing is written.
//
//   npm run policies -- --settings org-settings.json [--chrome-id <id>] [--chrome-update-url <url>]
//                       [--firefox-install-url <url>] [--out dist/policies]
//   npm run policies -- --check     (docs/policies matches docs/policies/example-settings.json)
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build as buildPlist, type PlistValue } from 'plist';
import { mergeSettings } from '../lib/settings/merge';

export const STORE_UPDATE_URL = 'https://clients2.google.com/service/update2/crx';
export const FIREFOX_ID = 'earshot@earshot.dev';

export interface PolicyInput {
  /** Earshot's managed settings (docs/managed-policy.md). */
  settings: Record<string, unknown>;
  /** Chrome's extension id: the store's, or your own package's (`npm run pack` prints it). */
  chromeId: string;
  chromeUpdateUrl: string;
  firefoxInstallUrl: string;
}

export interface PolicyFiles {
  'chromium-linux.json': string;
  'firefox-policies.json': string;
  'chrome-windows.reg': string;
  'earshot.mobileconfig': string;
}

/** The settings' problems, as the extension itself would report them (field and reason). */
export function settingsProblems(settings: unknown): string[] {
  return mergeSettings({ managed: settings }).errors.map((e) => `${e.path || '(root)'}: ${e.message}`);
}

function chromePolicy(input: PolicyInput) {
  return {
    ExtensionSettings: { [input.chromeId]: { installation_mode: 'force_installed', update_url: input.chromeUpdateUrl, toolbar_pin: 'force_pinned' } },
    // The microphone for Whisper and Join without a prompt (Earshot never opens it in Listen).
    AudioCaptureAllowedUrls: [`chrome-extension://${input.chromeId}`],
  };
}

function firefoxPolicy(input: PolicyInput) {
  return {
    ExtensionSettings: { [FIREFOX_ID]: { installation_mode: 'force_installed', install_url: input.firefoxInstallUrl } },
    '3rdparty': { Extensions: { [FIREFOX_ID]: input.settings } },
  };
}

// ---- Windows registry (.reg, REGEDIT4 syntax of Windows Registry Editor 5) ----
// Chrome maps registry keys to its policy values with the policy's schema:
// strings are REG_SZ, integers and booleans REG_DWORD, objects subkeys, lists
// subkeys whose values (or, for lists of objects, subkeys) are named 1, 2, 3…
// ExtensionSettings is the exception Chrome documents: one REG_SZ of JSON.
const regString = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
const regDword = (n: number) => `dword:${(n >>> 0).toString(16).padStart(8, '0')}`;

function regValue(value: unknown): string {
  if (typeof value === 'string') return regString(value);
  if (typeof value === 'boolean') return regDword(value ? 1 : 0);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return regDword(value);
  throw new Error(`no registry form for ${JSON.stringify(value)}`);
}

function regTree(path: string, value: Record<string, unknown> | unknown[], out: string[]): void {
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : Object.entries(value);
  const scalars = entries.filter(([, v]) => v === null || typeof v !== 'object');
  out.push('', `[${path}]`, ...scalars.map(([k, v]) => `${regString(k)}=${regValue(v)}`));
  for (const [k, v] of entries) if (v !== null && typeof v === 'object') regTree(`${path}\\${k}`, v as Record<string, unknown>, out);
}

export function chromeWindowsReg(input: PolicyInput): string {
  const root = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome';
  const chrome = chromePolicy(input);
  const out = ['Windows Registry Editor Version 5.00', '', `[${root}]`, `"ExtensionSettings"=${regString(JSON.stringify(chrome.ExtensionSettings))}`];
  regTree(`${root}\\AudioCaptureAllowedUrls`, chrome.AudioCaptureAllowedUrls, out);
  regTree(`${root}\\3rdparty\\extensions\\${input.chromeId}\\policy`, input.settings, out);
  return `${out.join('\r\n')}\r\n`;
}

// ---- macOS configuration profile ----
function payload(type: string, identifier: string, uuid: string, content: Record<string, PlistValue>): Record<string, PlistValue> {
  return { PayloadType: type, PayloadIdentifier: identifier, PayloadUUID: uuid, PayloadVersion: 1, PayloadDisplayName: identifier, ...content };
}

/** A stable UUID per payload (the same profile on every run, so a re-deploy replaces rather than adds): a name-based UUID (v5 layout over SHA-1). */
function stableUuid(seed: string): string {
  const bytes = createHash('sha1').update(`earshot-policy:${seed}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function mobileconfig(input: PolicyInput): string {
  const settings = input.settings as Record<string, PlistValue>;
  const chrome = chromePolicy(input) as unknown as Record<string, PlistValue>;
  const firefox = firefoxPolicy(input) as unknown as Record<string, PlistValue>;
  const id = (s: string) => `dev.earshot.policy.${s}`;
  return buildPlist({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: id('profile'),
    PayloadUUID: stableUuid(`profile:${input.chromeId}`),
    PayloadDisplayName: 'Earshot',
    PayloadDescription: 'Installs and configures Earshot in Chrome and Firefox.',
    PayloadScope: 'System',
    PayloadContent: [
      payload('com.google.Chrome', id('chrome'), stableUuid(`chrome:${input.chromeId}`), chrome),
      // Chrome reads an extension's managed storage on macOS from the domain com.google.Chrome.extensions.<id>.
      payload(`com.google.Chrome.extensions.${input.chromeId}`, id('chrome-extension'), stableUuid(`chrome-ext:${input.chromeId}`), settings),
      payload('org.mozilla.firefox', id('firefox'), stableUuid(`firefox:${input.chromeId}`), { EnterprisePoliciesEnabled: true, ...firefox }),
    ],
  });
}

export function policyFiles(input: PolicyInput): PolicyFiles {
  const problems = settingsProblems(input.settings);
  if (problems.length > 0) throw new Error(`the settings are not valid Earshot policy:\n  ${problems.join('\n  ')}`);
  if (!/^[a-p]{32}$/.test(input.chromeId)) throw new Error(`--chrome-id ${input.chromeId}: a Chrome extension id is 32 letters a–p`);
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'chromium-linux.json': json({ ...chromePolicy(input), '3rdparty': { extensions: { [input.chromeId]: input.settings } } }),
    'firefox-policies.json': json({ policies: firefoxPolicy(input) }),
    'chrome-windows.reg': chromeWindowsReg(input),
    'earshot.mobileconfig': mobileconfig(input),
  };
}

/** The committed examples: docs/policies/*, from docs/policies/example-settings.json. */
export const EXAMPLE_DIR = resolve(import.meta.dirname, '../docs/policies');
export function exampleInput(): PolicyInput {
  return JSON.parse(readFileSync(join(EXAMPLE_DIR, 'example-settings.json'), 'utf8')) as PolicyInput;
}

if (process.argv[1] && basename(process.argv[1]).startsWith('policies')) {
  const { values } = parseArgs({
    options: {
      settings: { type: 'string' },
      'chrome-id': { type: 'string' },
      'chrome-update-url': { type: 'string', default: STORE_UPDATE_URL },
      'firefox-install-url': { type: 'string', default: 'https://addons.mozilla.org/firefox/downloads/latest/earshot/latest.xpi' },
      out: { type: 'string', default: 'dist/policies' },
      check: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
    },
  });
  try {
    if (values.check || values.write) {
      const files = policyFiles(exampleInput());
      const stale = Object.entries(files).filter(([name, text]) => {
        if (values.write) writeFileSync(join(EXAMPLE_DIR, name), text);
        return !values.write && readFileSync(join(EXAMPLE_DIR, name), 'utf8') !== text;
      });
      if (stale.length) throw new Error(`docs/policies is stale (${stale.map(([n]) => n).join(', ')}): run npm run policies -- --write`);
      console.log(values.write ? 'policies: docs/policies written' : 'policies: docs/policies is up to date');
    } else {
      if (!values.settings || !values['chrome-id']) throw new Error('usage: npm run policies -- --settings <org-settings.json> --chrome-id <id> [--chrome-update-url <url>] [--firefox-install-url <url>] [--out dir]');
      const files = policyFiles({
        settings: JSON.parse(readFileSync(values.settings, 'utf8')) as Record<string, unknown>,
        chromeId: values['chrome-id'],
        chromeUpdateUrl: values['chrome-update-url'],
        firefoxInstallUrl: values['firefox-install-url'],
      });
      mkdirSync(values.out, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(values.out, name), text);
      console.log(`policies: ${Object.keys(files).map((n) => join(values.out, n)).join(', ')}`);
    }
  } catch (error) {
    console.error(`policies: ${(error as Error).message}`);
    process.exit(1);
  }
}
