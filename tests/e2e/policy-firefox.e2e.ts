// Enterprise deployment in real Firefox ESR: policies.json with Earshot's
// settings under 3rdparty.Extensions, read at browser start.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/index';
import { GECKO_ID, launchFirefox, openExtensionPage, type FirefoxSession } from './support/browsers';
import { labApi, until } from './support/lab-client';

const POLICY_FILE = process.env.FIREFOX_POLICY_FILE ?? '/etc/firefox/policies/policies.json';
let previous: string | undefined;
let lab: Lab;
let s: FirefoxSession | undefined;

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
  previous = existsSync(POLICY_FILE) ? readFileSync(POLICY_FILE, 'utf8') : undefined;
  mkdirSync(dirname(POLICY_FILE), { recursive: true });
  writeFileSync(
    POLICY_FILE,
    JSON.stringify({
      policies: {
        '3rdparty': {
          Extensions: {
            [GECKO_ID]: {
              pbx: { wsUrl: lab.wsUrl, domain: 'lab.earshot.test', username: '2001', password: 'lab-2001' },
              portal: { origin: lab.httpUrl, adapter: 'earshot-lab' },
              lockUserOverrides: true,
            },
          },
        },
      },
    }),
  );
});

afterAll(async () => {
  await s?.close();
  if (previous === undefined) rmSync(POLICY_FILE, { force: true });
  else writeFileSync(POLICY_FILE, previous);
  await lab?.close();
});

describe('Firefox ESR: configured by policies.json', () => {
  it('shows the managed settings locked and registers without user setup', async () => {
    s = await launchFirefox();
    const page = await s.browser.newPage();
    await openExtensionPage(page, `${s.base}/options.html`);
    const state = () =>
      page.evaluate(() => {
        const label = [...document.querySelectorAll('label')].find((l) => l.textContent?.includes('PBX WebSocket URL'));
        const input = (label?.htmlFor ? document.getElementById(label.htmlFor) : label?.querySelector('input')) as HTMLInputElement | null;
        return { value: input?.value, readOnly: Boolean(input?.readOnly || input?.disabled), managed: document.body.textContent?.includes('Set by your organization') };
      });
    const seen = await until(async () => {
      const v = await state();
      return v.value === lab.wsUrl ? v : undefined;
    }, 15_000, 'the policy value in the options page');
    expect(seen.readOnly).toBe(true);
    expect(seen.managed).toBe(true);
    await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === '2001'), 20_000, 'registration from policy');
  });
});
