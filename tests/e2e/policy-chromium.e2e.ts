// Enterprise deployment in real Chromium: a real policy file under
// /etc/chromium/policies/managed/ for the test build's fixed id configures
// Earshot (no user setup) and pre-grants the microphone; an invalid policy
// value is reported in the options page and the previous good value stays.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from './support/browsers';
import { labApi, until } from './support/lab-client';

const POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = join(POLICY_DIR, 'earshot-e2e.json');
const ID = 'lfflkhoalddonjjnoilhplmibgemjeal';

let lab: Lab;
let s: ChromiumSession | undefined;
let previous: string | undefined;
const profile = mkdtempSync(join(tmpdir(), 'earshot-policy-'));

function writePolicy(wsUrl: string): void {
  mkdirSync(POLICY_DIR, { recursive: true });
  writeFileSync(
    POLICY_FILE,
    JSON.stringify({
      AudioCaptureAllowedUrls: [`chrome-extension://${ID}`],
      '3rdparty': {
        extensions: {
          [ID]: {
            pbx: { wsUrl, domain: 'lab.earshot.test', username: '2001', password: 'lab-2001' },
            portal: { origin: lab.httpUrl, adapter: 'earshot-lab' },
            profile: { id: 'asterisk-chanspy', dtmfMethod: 'info' },
            lockUserOverrides: true,
          },
        },
      },
    }),
  );
}

async function optionsPage(session: ChromiumSession) {
  const page = await session.context.newPage();
  await page.goto(`chrome-extension://${session.extensionId}/options.html`);
  return page;
}

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  previous = existsSync(POLICY_FILE) ? readFileSync(POLICY_FILE, 'utf8') : undefined;
  writePolicy(lab.wsUrl);
});

afterAll(async () => {
  await s?.close();
  if (previous === undefined) rmSync(POLICY_FILE, { force: true });
  else writeFileSync(POLICY_FILE, previous);
  rmSync(profile, { recursive: true, force: true });
  await lab?.close();
});

describe('Chromium: configured by policy', () => {
  it('reads the policy, shows it locked, and registers without any user setup', async () => {
    s = await launchChromium({ extensionDir: CHROME_E2E_OUT, userDataDir: profile });
    const page = await optionsPage(s);
    const wsUrl = page.getByLabel('PBX WebSocket URL', { exact: false });
    await until(async () => (await wsUrl.inputValue({ timeout: 1000 })) === lab.wsUrl, 15_000, 'the policy value');
    expect(await wsUrl.isEditable()).toBe(false);
    expect(await page.getByText('Set by your organization').count()).toBeGreaterThan(0);
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 20_000, 'registration from policy');
    // The microphone is pre-granted by AudioCaptureAllowedUrls: the offscreen document can open it without a prompt.
    const panel = await s.context.newPage();
    await panel.goto(`chrome-extension://${s.extensionId}/microphone.html`);
    await until(async () => (await panel.locator('[role="status"]').getAttribute('data-state')) === 'granted', 10_000, 'microphone granted by policy');
  });

  it('reports an invalid policy value and keeps the previous good one in force', async () => {
    await s?.close();
    s = undefined;
    writePolicy('ftp://not-a-pbx.example');
    s = await launchChromium({ extensionDir: CHROME_E2E_OUT, userDataDir: profile });
    const page = await optionsPage(s);
    await until(async () => /invalid value for PBX WebSocket URL.*previous value stays in force/s.test((await page.locator('[role="alert"]').first().textContent({ timeout: 1000 })) ?? ''), 15_000, 'the policy banner');
    expect(await page.getByLabel('PBX WebSocket URL', { exact: false }).inputValue()).toBe(lab.wsUrl);
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 20_000, 'still registered with the previous value');
  });
});
