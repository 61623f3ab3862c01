// A supervisor's story on each portal style the lab serves, for any browser:
// sign in, the icon only for an agent on a call, click → Listen, Whisper on a
// call that was up before Earshot watched (the agent hears the supervisor,
// the customer does not: asserted at the lab), Join, Listen, hang up; on the
// FusionPBX call-center page also: the icon's click never navigates the row,
// the icon survives the wholesale re-render with its hover and its focus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../lab/index';
import { audible, hearing, labApi, labEvents, lastEventSeq, sessionOf, until } from './lab-client';
import { clickIconAt, PORTAL_STYLES, watchIconFrames, type PageDriver, type PortalStyle } from './portal-styles';

type Mode = 'listen' | 'whisper' | 'barge';

/** Earshot's panel (Chromium's side panel, Firefox's sidebar page) as the story drives it: real clicks. */
export interface PanelDriver {
  /** Whether the mode's button is enabled (false: disabled, with its reason on the page). */
  modeEnabled(mode: Mode): Promise<boolean>;
  clickMode(mode: Mode): Promise<void>;
  hangUp(): Promise<void>;
}

/** One style's browser and lab, set up by the browser's file. */
export interface StoryEnv {
  lab: Lab;
  portal: PageDriver;
  panel: PanelDriver;
  close(): Promise<void>;
}

const SUPERVISOR = '2001';
/** An agent with no call at the lab's start (8 agents, 1001–1006 on calls, 1007 on 1006's). */
const IDLE = '1008';

/** The story on every style, each with its own lab and browser from `open`. */
export function describePortalStories(browser: string, open: (style: PortalStyle) => Promise<StoryEnv>): void {
  describe.each(PORTAL_STYLES)(`${browser}: a supervisor's story on the $name portal style`, (style) => {
    let env: StoryEnv;
    let lab: Lab;
    let portal: PageDriver;
    let leg = '';
    const customer = `customer:${style.customer}`;
    const agent = `agent:${style.agent}`;

    beforeAll(async () => {
      env = await open(style);
      ({ lab, portal } = env);
    });
    afterAll(async () => env?.close());

    it('signs in; the icon shows only for an agent on a call', async () => {
      await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === SUPERVISOR), 20_000, 'registered');
      await style.signIn(portal, lab, SUPERVISOR);
      const cell = (await style.rowCell(lab, style.agent))!;
      await portal.waitFor(cell);
      // Onto the row as a user would, again until the icon is there (Earshot may have started after the pointer came).
      await until(async () => {
        await portal.hover('body > *:first-child');
        await portal.hover(cell);
        return portal.evaluate((ext) => document.querySelector(`earshot-monitor-icon[data-extension="${ext}"]:not([hidden])`)?.hasAttribute('data-hover') === true, style.agent);
      }, 15_000, 'the hovered icon of the agent on a call');
      // The idle agent: a row without a visible icon (Active calls shows no row at all for nobody's channel).
      const idleCell = await style.rowCell(lab, IDLE);
      if (idleCell) await portal.hover(idleCell);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await portal.evaluate((ext) => document.querySelectorAll(`earshot-monitor-icon[data-extension="${ext}"]:not([hidden])`).length, IDLE)).toBe(0);
      if (!idleCell) {
        const shown = await portal.evaluate((ext) => [...document.querySelectorAll('[id^="destination_"], [id^="caller_id_number_"]')].some((td) => td.textContent === ext), IDLE);
        expect(shown).toBe(false);
      }
    });

    if (style.id === 'fusionpbx-call-center' && !style.pbxCalls) {
      it("the agent's row has the portal's Eavesdrop button; Earshot's icon sits beside it in the cell that never navigates", async () => {
        const slot = await portal.evaluate((ext) => {
          const icon = document.querySelector(`earshot-monitor-icon[data-extension="${ext}"]`);
          const cell = icon?.parentElement;
          return { noLink: cell?.classList.contains('no-link') ?? false, eavesdrop: (cell?.querySelector('button[title="Eavesdrop"]') ?? null) !== null, where: cell?.outerHTML.slice(0, 300) ?? `no icon: ${document.querySelectorAll('earshot-monitor-icon').length} icons` };
        }, style.agent);
        expect(slot, slot.where).toMatchObject({ noLink: true, eavesdrop: true });
      });

      it('the icon survives the 1.5 s wholesale re-render without a frame missing it, and keeps its hover', async () => {
        await portal.hover((await style.rowCell(lab, style.agent))!);
        const seen = await watchIconFrames(portal, style.agent, 4000);
        expect(seen.rerenders).toBeGreaterThanOrEqual(2);
        expect(seen.frames).toBeGreaterThan(20);
        expect({ missing: seen.missing, unhovered: seen.unhovered }).toEqual({ missing: 0, unhovered: 0 });
      });

      it('a focused icon whose row is re-rendered is focused again', async () => {
        // The keyboard's way there: Tab until the agent's icon has the focus (a re-render may send it back to the start).
        await until(async () => {
          await portal.press('Tab');
          return portal.evaluate((ext) => {
            const active = document.activeElement as HTMLElement | null;
            if (active?.tagName !== 'EARSHOT-MONITOR-ICON' || active.dataset.extension !== ext) return false;
            (window as unknown as { focusedIcon: Element }).focusedIcon = active;
            return true;
          }, style.agent);
        }, 20_000, "the agent's icon focused by Tab");
        // Two re-renders later the icon is another element, and it has the focus.
        await new Promise((r) => setTimeout(r, 3200));
        expect(
          await portal.evaluate(() => {
            const active = document.activeElement as HTMLElement | null;
            return { tag: active?.tagName, ext: active?.dataset.extension, replaced: active !== (window as unknown as { focusedIcon: Element }).focusedIcon };
          }, undefined),
        ).toEqual({ tag: 'EARSHOT-MONITOR-ICON', ext: style.agent, replaced: true });
      });
    }

    it('click → Listen: the supervisor hears both parties and sends silence', async () => {
      const before = portal.url();
      const since = await lastEventSeq(lab);
      await clickIconAt(portal, (await style.rowCell(lab, style.agent))!, style.agent);
      const session = await until(() => sessionOf(lab, SUPERVISOR), 15_000, 'monitor session');
      expect(session.agent).toBe(style.agent);
      if (style.pbxCalls) {
        // The portal was asked (the row's own Eavesdrop request, with the page's session), the PBX called, Earshot answered.
        const trail = (await labEvents(lab, since)).filter((e) => e.kind === 'portal' || e.kind === 'originate').map((e) => e.text);
        expect(trail).toEqual(expect.arrayContaining([expect.stringMatching(`^${SUPERVISOR} pressed Eavesdrop on ${style.agent} `), `${SUPERVISOR} answered the eavesdrop call`]));
      }
      leg = session.legId;
      await until(async () => {
        const heard = await hearing(lab, SUPERVISOR, 300);
        return audible(heard, agent) && audible(heard, customer);
      }, 15_000, 'the supervisor hears both parties').catch(async (error: unknown) => {
        // What the lab got since the click (the PIN's digits, the session's start): where the audio stopped.
        const trail = (await labEvents(lab, since)).filter((e) => e.kind !== 'presence').map((e) => `${e.kind}: ${e.text}`);
        throw new Error(`${String(error)} (the lab got: ${trail.join('; ') || 'nothing'})`);
      });
      await until(async () => (await labApi<{ rms: number; frames: number }>(lab, 'GET', `/api/sent/${SUPERVISOR}?windowMs=300`)).frames > 0, 10_000, 'frames from the Listen sender');
      // Silence once the profile's PIN (RFC 4733 tones right after the answer, FreeSWITCH styles) has played out.
      await until(async () => (await labApi<{ rms: number }>(lab, 'GET', `/api/sent/${SUPERVISOR}?windowMs=300`)).rms < 0.001, 5_000, 'silence from the Listen sender');
      // The row's own handlers never saw the click: the page is where it was (FusionPBX rows navigate on any click).
      await new Promise((r) => setTimeout(r, 1000));
      expect(portal.url()).toBe(before);
    });

    it('Whisper on a call that was up before Earshot watched: the agent hears the supervisor, the customer does not', async () => {
      // No NOTIFY named the customer (the call was up before the subscription): the portal's page does.
      await until(() => env.panel.modeEnabled('whisper'), 15_000, "Whisper enabled from the portal's other party");
      await env.panel.clickMode('whisper');
      await until(async () => (await sessionOf(lab, SUPERVISOR))?.mode === 'whisper', 15_000, 'Whisper at the PBX');
      await until(async () => audible(await hearing(lab, agent), leg), 15_000, 'the agent hears the supervisor');
      expect(audible(await hearing(lab, customer), leg)).toBe(false);
      expect(audible(await hearing(lab, customer, 1000), leg)).toBe(false);
    });

    it('Join: both parties hear the supervisor', async () => {
      await env.panel.clickMode('barge');
      await until(async () => (await sessionOf(lab, SUPERVISOR))?.mode === 'barge', 15_000, 'Join at the PBX');
      await until(async () => audible(await hearing(lab, customer), leg) && audible(await hearing(lab, agent), leg), 15_000, 'both hear the supervisor');
    });

    it('Listen: silent again', async () => {
      await env.panel.clickMode('listen');
      await until(async () => (await sessionOf(lab, SUPERVISOR))?.mode === 'listen', 15_000, 'Listen at the PBX');
      await until(async () => (await labApi<{ rms: number }>(lab, 'GET', `/api/sent/${SUPERVISOR}?windowMs=300`)).rms < 0.001, 15_000, 'silence again');
    });

    it('hangs up', async () => {
      await env.panel.hangUp();
      await until(async () => (await sessionOf(lab, SUPERVISOR)) === undefined, 15_000, 'session ended');
    });

    if (style.pbxCalls) {
      it('a call to the same registration that Earshot did not ask for is declined, even one named eavesdrop', async () => {
        for (const callerName of ['eavesdrop', 'Mallory']) {
          const since = await lastEventSeq(lab);
          const { callId } = await labApi<{ callId: string }>(lab, 'POST', '/api/originate', { to: SUPERVISOR, callerName, agent: style.agent });
          const declined = await until(
            async () => (await labEvents(lab, since)).find((e) => e.data?.callId === callId && /declined/i.test(e.text)),
            10_000,
            `the unrequested call from ${callerName} declined`,
          );
          expect(declined.text).toMatch(/480/);
          expect(await sessionOf(lab, SUPERVISOR)).toBeUndefined();
        }
      });
    }

    if (style.id === 'netsapiens') {
      it('a Basic User signed in to the portal (no allowmonitor, the header says Basic User) gets no icons', async () => {
        await style.signIn(portal, lab, '4001');
        expect(await portal.evaluate(() => [document.querySelector('#user-menu [data-scope]')?.getAttribute('data-scope'), document.getElementById('agents-table')?.classList.contains('allowmonitor')], undefined)).toEqual(['Basic User', false]);
        await new Promise((r) => setTimeout(r, 1500));
        expect(await portal.evaluate(() => document.querySelectorAll('earshot-monitor-icon').length, undefined)).toBe(0);
      });
    }

    if (style.id === 'fusionpbx-call-center' && !style.pbxCalls) {
      it("without call_center_active_options the portal gives no Eavesdrop, so no monitor right: Earshot's icon stays hidden on the row", async () => {
        await labApi(lab, 'POST', '/api/portal-styles', { fusionpbxOptions: false });
        const cell = (await style.rowCell(lab, style.agent))!;
        await until(() => portal.evaluate((selector) => {
          const row = document.querySelector(selector)?.closest('tr');
          return row != null && ![...row.querySelectorAll('button')].some((b) => b.textContent?.includes('Eavesdrop'));
        }, cell), 10_000, 'the row without its Eavesdrop button');
        // Two re-renders later the row still shows no usable icon: the portal's monitor right is off.
        await new Promise((r) => setTimeout(r, 3200));
        expect(await portal.evaluate((ext) => document.querySelector(`earshot-monitor-icon[data-extension="${ext}"]:not([hidden])`) !== null, style.agent)).toBe(false);
      });

      it("a click in that column on another agent's row navigates to the agent's edit page (the row's own handler is live)", async () => {
        const cell = (await style.rowCell(lab, IDLE))!.replace('td:nth-child(2)', 'td:last-child');
        // Once the point is the cell's (Earshot's panel lingers a few seconds after a session, maybe over it).
        const box = await until(() => portal.evaluate((selector) => {
          const target = document.querySelector(selector);
          target?.scrollIntoView({ block: 'center' });
          const r = target?.getBoundingClientRect();
          const point: [number, number] | null = r ? [r.x + 4, r.y + r.height / 2] : null;
          return point && target?.contains(document.elementFromPoint(...point)) ? point : null;
        }, cell), 15_000, 'the cell under the mouse').catch(async (error: unknown) => {
          const at = await portal.evaluate((selector) => {
            const r = document.querySelector(selector)?.getBoundingClientRect();
            return r ? `${Math.round(r.x)},${Math.round(r.y)} in ${innerWidth}x${innerHeight}: ${document.elementFromPoint(r.x + 4, r.y + r.height / 2)?.tagName}` : 'no cell';
          }, cell);
          throw new Error(`${String(error)} (${at})`);
        });
        await portal.mouseClick(box[0], box[1]);
        await until(async () => portal.url().includes('call_center_agent_edit.php'), 10_000, 'navigated');
      });
    }
  });
}
