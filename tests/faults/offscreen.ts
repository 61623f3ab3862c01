// The engine's offscreen document closed or crashed mid-session, in real
// Chromium against the lab (whose media timeout is on in the fault suite, as a
// real PBX's rtp_timeout: harness.ts). Closed: the extension lives on, a new
// document's engine ends the old call with a BYE in the dialog it kept.
// Crashed: Chromium kills the extension's renderer (every page of it and the
// service worker), marks the extension TERMINATED and serves none of its
// pages, and brings nothing back by itself (measured: 45 s); only the PBX can
// end the call then, until the supervisor reloads Earshot.
import type { Page } from 'playwright-core';
import { ORPHAN_ENDED_MESSAGE } from '../../lib/phone/engine';
import { TargetSession } from '../../bench/support/cdp-target';
import { until } from '../e2e/support/lab-client';
import { logRows, said, sleep, view, watchPanel, type Env, type Outcome } from './harness';
import { offscreenTarget, serviceWorkerTarget, within } from './probe';

type Body = (env: Env, problems: string[]) => Promise<Outcome>;

/** How the lab ended a monitor session (its event log), or undefined while it is up. */
function labEnded(env: Env, sessionId: string | undefined): string | undefined {
  if (!sessionId || env.lab.pbx.sessions.has(sessionId)) return undefined;
  const line = env.lab.log.since(0).find((e) => e.kind === 'monitor' && e.data?.session === sessionId && /stopped monitoring/.test(e.text));
  return line?.text ?? 'gone';
}

/** Waits until the lab no longer holds `sessionId`: ms from `from` and the lab's reason, or undefined. */
async function untilLabEnded(env: Env, sessionId: string | undefined, from: number, timeoutMs: number) {
  const how = await until(() => labEnded(env, sessionId), timeoutMs, 'the old call ended at the lab').catch(() => undefined);
  return how ? { ms: Date.now() - from, how } : undefined;
}

/** chrome://extensions, where a supervisor sees (and reloads) a crashed extension; developerPrivate is that page's API. */
async function extensionsPage(env: Env): Promise<Page> {
  const page = await env.s.context.newPage();
  await page.goto('chrome://extensions');
  return page;
}

const extensionState = (page: Page, id: string) =>
  page.evaluate<string>(`new Promise((r) => chrome.developerPrivate.getExtensionInfo(${JSON.stringify(id)}, (i) => r(i ? i.state : String(chrome.runtime.lastError?.message))))`);

/**
 * The supervisor's Reload on chrome://extensions. The test build is unpacked (--load-extension): Chromium 156
 * turns it off on reload unless developer mode is on (measured), so that is switched on first; an installed
 * package reloads without it.
 */
async function reloadExtension(page: Page, id: string): Promise<string> {
  await page.evaluate(`new Promise((r) => chrome.developerPrivate.updateProfileConfiguration({ inDeveloperMode: true }, r))`);
  return page.evaluate<string>(
    `new Promise((r) => chrome.developerPrivate.reload(${JSON.stringify(id)}, { failQuietly: true }, () => r(chrome.runtime.lastError ? chrome.runtime.lastError.message : 'reloaded')))`,
  );
}

const notes = (parts: (string | false | undefined)[]) => parts.filter(Boolean).join('; ');

/** A live session on 1001, the panel watched, and the offscreen document to hit. */
async function liveOn1001(env: Env) {
  await env.ensureCall('1001', '5550101');
  await env.startSession('1001');
  const old = env.sessionAt('1001')?.id;
  const w = watchPanel(env.panel);
  const target = await offscreenTarget(env.browser, env.s.extensionId);
  if (!target) throw new Error('no offscreen document');
  return { old, w, target, at: Date.now() };
}

export const offscreenClosed: Body = async (env, problems) => {
  const { old, w, target, at } = await liveOn1001(env);
  await env.browser.send('Target.closeTarget', { targetId: target.targetId });
  let ended: number | string = 'never';
  await until(async () => ['ended', 'failed', 'none'].includes((await view(env.panel)).status), 15_000, 'the panel saying the session is over')
    .then(() => (ended = Date.now() - at))
    .catch((e: Error) => problems.push(e.message));
  let rec: number | string = 'never';
  let oldCall: { ms: number; how: string } | undefined;
  try {
    await env.ready(30_000);
    await until(() => offscreenTarget(env.browser, env.s.extensionId), 10_000, 'a new offscreen document');
    rec = Date.now() - at;
    // Before any new session (a re-dial would replace the old one at the lab and hide it): the old call must be gone.
    oldCall = await untilLabEnded(env, old, at, 10_000);
    if (!oldCall) problems.push('the old monitor call was still at the lab 10 s after the close');
    await env.startSession('1001');
  } catch (e) {
    problems.push(`afterwards: ${(e as Error).message}`);
  }
  const said1 = said(w.stop());
  return {
    happened: said1,
    recoveryMs: rec,
    sessions: 2,
    note: `(${notes([
      `session shown over after ${ended} ms`,
      oldCall ? `the old call ended at the lab ${oldCall.ms} ms after the close (lab: “${oldCall.how}”)` : 'the old call stayed at the lab',
      'recovery: Ready with a new offscreen document, then a new session',
    ])})`,
  };
};

export const offscreenCrashed: Body = async (env, problems) => {
  const { old, w, target, at } = await liveOn1001(env);
  const t = await TargetSession.attach(env.browser, target);
  // A crashing target never answers Page.crash.
  await within(t.send('Page.crash'), 3000, 'Page.crash').catch(() => undefined);
  await within(t.detach(), 3000, 'detach').catch(() => undefined);
  await sleep(2000);
  const extensions = await extensionsPage(env);
  const state = await extensionState(extensions, env.s.extensionId).catch((e: Error) => `unknown (${e.message.split('\n')[0]})`);
  const sw = Boolean(await serviceWorkerTarget(env.browser, env.s.extensionId));
  const doc = Boolean(await offscreenTarget(env.browser, env.s.extensionId));
  const panelAlive = await view(env.panel).then(() => true, () => false);
  const blocked = await env.reopenPanel().then(() => 'served', (e: Error) => (e.message.split('\n')[0] ?? '').replace(/^page\.goto: /, '').replace(/ at chrome-extension:.*/, ''));
  const facts = `2 s after: the extension ${state}, service worker ${sw ? 'running' : 'gone'}, offscreen document ${doc ? 'listed' : 'gone'}, side panel ${panelAlive ? 'alive' : 'crashed with it'}, its page ${blocked === 'served' ? 'served again' : `not served (${blocked})`}; 2001 ${env.lab.sip.registrations.has('2001') ? 'still' : 'not'} registered at the lab`;
  // No Earshot code runs now: only the PBX can end the call, when its RTP stops.
  const byPbx = await untilLabEnded(env, old, at, 30_000);
  if (!byPbx) problems.push('the old monitor call was still at the lab 30 s after the crash');
  // The supervisor reloads Earshot.
  const reloadAt = Date.now();
  const reloaded = await reloadExtension(extensions, env.s.extensionId).catch((e: Error) => e.message.split('\n')[0] ?? 'failed');
  await extensions.close().catch(() => undefined);
  let rec: number | string = 'never';
  let orphanLine: string | undefined;
  let readyAfter: number | undefined;
  try {
    await until(() => serviceWorkerTarget(env.browser, env.s.extensionId), 15_000, 'the service worker after the reload');
    await env.reopenPanel();
    await env.ready(30_000);
    await until(() => offscreenTarget(env.browser, env.s.extensionId), 10_000, 'a new offscreen document');
    rec = Date.now() - at;
    readyAfter = Date.now() - reloadAt;
    // The reloaded engine found the dialog the crashed one kept: it says what became of the call, and ends the session record.
    const rows = await until(async () => {
      const r = await logRows(env.panel);
      return r.some((x) => /previous engine left/.test(x.text)) ? r : undefined;
    }, 10_000, 'the reloaded engine\'s line about the old call');
    orphanLine = rows.find((x) => /previous engine left/.test(x.text))?.text.replace(/^[\d:]+\s+\w+\s+/, '');
    const v = await view(env.panel);
    if (!v.live.includes(ORPHAN_ENDED_MESSAGE)) problems.push(`the panel does not say what became of the crashed session: "${v.live}"`);
    if (!rows.some((x) => x.kind === 'end' && /phone engine stopped/.test(x.text))) problems.push('no End row for the crashed session');
    // The session log lived in storage.session, which the reload cleared: the crashed session's Start row is gone.
    if (!rows.some((x) => x.kind === 'start')) problems.push("the crashed session's Start row is lost: the session log is kept in storage.session, which Chromium clears when the extension is reloaded");
    // A new session from the side panel ("Monitor an extension"): the portal tab's content script went with the old extension.
    await env.startFromForm('1001');
    await until(async () => (await view(env.panel)).status === 'active' && env.sessionAt('1001'), 20_000, 'a new session from the side panel');
  } catch (e) {
    problems.push(`after the reload: ${(e as Error).message.split('\n')[0]}`);
  }
  return {
    happened: said(w.stop()),
    recoveryMs: rec,
    // The new session; the crashed one's Start went with storage.session (a problem above), its End is checked above.
    sessions: 1,
    note: `(${notes([
      facts,
      byPbx ? `the lab ended the old call ${byPbx.ms} ms after the crash (lab: “${byPbx.how}”)` : 'the old call stayed at the lab',
      `then the supervisor's Reload on chrome://extensions (${reloaded}; developer mode switched on first for the unpacked test build); Ready ${readyAfter === undefined ? 'never' : `${readyAfter} ms after it`}`,
      orphanLine && `the reloaded engine's log: “${orphanLine}”`,
      'recovery: from the crash to Ready after the reload (includes the wait for the PBX); then a new session from the side panel\'s "Monitor an extension"',
    ])})`,
  };
};
