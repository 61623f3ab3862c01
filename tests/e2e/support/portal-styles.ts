// The portal styles the lab serves (lab/portal/<style>) as the e2e stories see
// them: where each page is, how its sign-in works, which row is an agent's,
// and the lab and Earshot settings that go with it. One table for Chromium
// and Firefox (portals-chromium.e2e.ts, portals-firefox.e2e.ts).
import type { Lab, LabOptions } from '../../../lab/index';
import { agentUuid, channelUuid } from '../../../lab/portal/fusionpbx/call-center';
import { PORTAL_STYLE_PATHS } from '../../../lab/portal/routes';
import type { PortalAdapterId } from '../../../lib/portals/index';
import { labApi, labSettings, until } from './lab-client';

/** What a story needs of a page, in either browser (Playwright's and puppeteer's pages both fit through an adapter). */
export interface PageDriver {
  goto(url: string): Promise<void>;
  /** Types into a field. */
  type(selector: string, text: string): Promise<void>;
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
  hover(selector: string): Promise<void>;
  mouseClick(x: number, y: number): Promise<void>;
  press(key: string): Promise<void>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  url(): string;
}

export interface PortalStyle {
  id: keyof typeof PORTAL_STYLE_PATHS;
  /** The story's name: the style's id, and how monitoring starts when the portal starts it. */
  name: string;
  /** The portal asks and the PBX calls Earshot (FusionPBX's Eavesdrop button), instead of Earshot dialling. */
  pbxCalls?: true;
  /** The adapter Earshot is configured with for it. */
  adapter: PortalAdapterId;
  /** Lab options (the PBX the portal fronts: FusionPBX is FreeSWITCH). */
  lab: LabOptions;
  /** Earshot's profile for that PBX. */
  profile: { id: string; dtmfMethod?: 'info' | 'rfc4733'; pin?: string };
  /** An agent whose call (with a customer) is up from the lab's start: before Earshot watched anyone. */
  agent: string;
  customer: string;
  /** Its page re-renders wholesale (FusionPBX call centers, every 1.5 s). */
  wholesale: boolean;
  /** Signs in on the page (its own login form). */
  signIn(page: PageDriver, lab: Lab, extension: string): Promise<void>;
  /** A cell of the agent's row to hover (not the icon's), or undefined when the page shows no row for the agent (an idle agent on Active calls). */
  rowCell(lab: Lab, extension: string): Promise<string | undefined>;
}

const freeswitch = { lab: { dialect: 'freeswitch-eavesdrop', pin: '4321' }, profile: { id: 'freeswitch-eavesdrop', dtmfMethod: 'rfc4733', pin: '4321' } } as const;

/** FusionPBX's login page stands in for any of its pages until someone signs in; it reloads the page. */
async function fusionSignIn(page: PageDriver, lab: Lab, extension: string, id: 'fusionpbx-call-center' | 'fusionpbx-active-calls'): Promise<void> {
  const url = lab.httpUrl + PORTAL_STYLE_PATHS[id];
  await page.goto(url);
  await page.evaluate(() => fetch('/portal/api/session', { method: 'DELETE' }).then(() => undefined), undefined);
  await page.goto(url);
  await page.type('form[name="login"] input[name="username"]', extension);
  await page.type('form[name="login"] input[name="password"]', `lab-${extension}`);
  await page.evaluate(() => (document.querySelector('form[name="login"] button[type="submit"]') as HTMLButtonElement).click(), undefined);
}

export const PORTAL_STYLES: PortalStyle[] = [
  {
    id: 'netsapiens',
    name: 'netsapiens',
    adapter: 'netsapiens-agents',
    lab: {},
    profile: { id: 'asterisk-chanspy', dtmfMethod: 'info' },
    agent: '1001',
    customer: '5550101',
    wholesale: false,
    async signIn(page, lab, extension) {
      await page.goto(lab.httpUrl + PORTAL_STYLE_PATHS.netsapiens);
      await page.evaluate(() => fetch('/portal/api/session', { method: 'DELETE' }).then(() => undefined), undefined);
      await page.goto(lab.httpUrl + PORTAL_STYLE_PATHS.netsapiens);
      await page.waitFor('#login:not([hidden])');
      await page.type('#login input[name="username"]', extension);
      await page.type('#login input[name="password"]', `lab-${extension}`);
      await page.evaluate(() => (document.querySelector('#login button[type="submit"]') as HTMLButtonElement).click(), undefined);
      await page.waitFor('#agents-table tbody tr.agent');
    },
    rowCell: async (lab, extension) => `#agent-${extension}-${lab.pbx.config.domain.replace(/\W/g, '-')} td.agent-extension`,
  },
  {
    id: 'fusionpbx-call-center',
    name: 'fusionpbx-call-center',
    adapter: 'fusionpbx-call-center',
    ...freeswitch,
    agent: '1002',
    customer: '5550102',
    wholesale: true,
    async signIn(page, lab, extension) {
      await fusionSignIn(page, lab, extension, 'fusionpbx-call-center');
      await page.waitFor('#ajax_response tr.list-row[href]');
    },
    rowCell: async (_lab, extension) => `#ajax_response tr.list-row[href$="${agentUuid(extension)}"] td:nth-child(2)`,
  },
  {
    id: 'fusionpbx-active-calls',
    name: 'fusionpbx-active-calls',
    adapter: 'fusionpbx-active-calls',
    ...freeswitch,
    agent: '1003',
    customer: '5550103',
    wholesale: false,
    async signIn(page, lab, extension) {
      await fusionSignIn(page, lab, extension, 'fusionpbx-active-calls');
      await page.waitFor('#calls_active_body tr.list-row');
    },
    async rowCell(lab, extension) {
      // The leg FreeSWITCH placed to the agent (outbound, destination the agent).
      const call = (await labApi<{ id: string; agent: string }[]>(lab, 'GET', '/api/calls')).find((c) => c.agent === extension);
      return call ? `tr[id="${channelUuid(call.id, 'b')}"] td[id^="destination_"]` : undefined;
    },
  },
  {
    // The portal's own Eavesdrop: Earshot asks the portal with the row's request, FusionPBX has FreeSWITCH
    // call the signed-in user ("eavesdrop"), Earshot answers because it asked; no PIN on this path.
    id: 'fusionpbx-call-center',
    name: 'fusionpbx-eavesdrop-button',
    pbxCalls: true,
    adapter: 'fusionpbx-call-center',
    lab: { dialect: 'freeswitch-eavesdrop' },
    profile: { id: 'fusionpbx-eavesdrop-button' },
    agent: '1004',
    customer: '5550104',
    wholesale: true,
    async signIn(page, lab, extension) {
      await fusionSignIn(page, lab, extension, 'fusionpbx-call-center');
      await page.waitFor('#ajax_response tr.list-row[href]');
    },
    rowCell: async (_lab, extension) => `#ajax_response tr.list-row[href$="${agentUuid(extension)}"] td:nth-child(2)`,
  },
];

/** Earshot's settings for a style: the lab, Sam Supervisor (2001), the style's adapter and the PBX's profile. */
export function styleSettings(lab: Lab, style: PortalStyle) {
  const settings = labSettings(lab, style.profile.dtmfMethod ?? 'rfc4733');
  return { ...settings, portal: { ...settings.portal, adapter: style.adapter }, profile: style.profile };
}

/**
 * Hovers `hoverSelector` and clicks the agent's icon with the real mouse (a
 * trusted click), aiming again until the icon is what the mouse will hit
 * (rows re-render under it).
 */
export async function clickIconAt(page: PageDriver, hoverSelector: string, extension: string): Promise<void> {
  const centre = await until(async () => {
    await page.hover(hoverSelector).catch(() => undefined);
    return page.evaluate((ext) => {
      const icon = document.querySelector(`earshot-monitor-icon[data-extension="${ext}"]:not([hidden])`);
      if (!icon) return null;
      const r = icon.getBoundingClientRect();
      const point: [number, number] = [r.x + r.width / 2, r.y + r.height / 2];
      return document.elementFromPoint(...point)?.tagName === 'EARSHOT-MONITOR-ICON' ? point : null;
    }, extension);
  }, 20_000, `the icon of ${extension}`).catch(async (error: unknown) => {
    const icons = await page.evaluate(() => [...document.querySelectorAll('earshot-monitor-icon')].map((i) => `${i.getAttribute('data-extension')}${i.hasAttribute('hidden') ? ' hidden' : ''}`), undefined);
    throw new Error(`${String(error)} (icons on the page: ${icons.join(', ') || 'none'})`);
  });
  await page.mouseClick(centre[0], centre[1]);
}

/**
 * Watches the agent's icon on every rendered frame for `ms` while the page
 * re-renders: how many frames showed no icon for the agent, or one without
 * its hover, and how many times the page replaced its rows.
 */
export async function watchIconFrames(page: PageDriver, extension: string, ms: number): Promise<{ frames: number; missing: number; unhovered: number; rerenders: number }> {
  return page.evaluate(
    ({ ext, ms: duration }) =>
      new Promise<{ frames: number; missing: number; unhovered: number; rerenders: number }>((resolve) => {
        const result = { frames: 0, missing: 0, unhovered: 0, rerenders: 0 };
        const root = document.getElementById('ajax_response') ?? document.body;
        const observer = new MutationObserver((records) => {
          if (records.some((r) => r.target === root && r.type === 'childList')) result.rerenders++;
        });
        observer.observe(root, { childList: true });
        const end = performance.now() + duration;
        const frame = () => {
          result.frames++;
          const icon = document.querySelector(`earshot-monitor-icon[data-extension="${ext}"]:not([hidden])`);
          if (!icon?.isConnected) result.missing++;
          else if (!icon.hasAttribute('data-hover')) result.unhovered++;
          if (performance.now() < end) requestAnimationFrame(frame);
          else {
            observer.disconnect();
            resolve(result);
          }
        };
        requestAnimationFrame(frame);
      }),
    { ext: extension, ms },
  );
}
