// Fault scenarios against the lab in real Chromium: one function per fault.
// Each returns what the supervisor saw and when things were usable again; the
// harness then measures what was left behind.
import type { Mode } from '../../lib/monitor/modes';
import { LabSipClient } from '../../lab/test/support/sip-client';
import { labApi, until } from '../e2e/support/lab-client';
import { clickIcon } from '../e2e/support/portal';
import { TargetSession } from '../../bench/support/cdp-target';
import { endMicrophoneTrack, offscreenTarget, serviceWorkerTarget, trackLabels, browserFigures } from './probe';
import { logRows, newRows, said, sleep, view, watchPanel, type Env, type Outcome } from './harness';
import { offscreenClosed, offscreenCrashed } from './offscreen';

type Body = (env: Env, problems: string[]) => Promise<Outcome>;

export interface Scenario {
  id: string;
  fault: string;
  expected: string;
  how: string;
  body: Body;
}

const fault = (env: Env, body: object) => labApi(env.lab, 'POST', '/api/faults', body);
const sentRms = async (env: Env) => (await labApi<{ rms: number }>(env.lab, 'GET', '/api/sent/2001?windowMs=300').catch(() => ({ rms: -1 }))).rms;
const check = (problems: string[], ok: boolean, what: string) => {
  if (!ok) problems.push(what);
};

/** Waits until the panel's status is one of `statuses`; the time it took. */
async function untilStatus(env: Env, statuses: string[], timeoutMs: number, what: string): Promise<number> {
  const at = Date.now();
  await until(async () => statuses.includes((await view(env.panel)).status), timeoutMs, what);
  return Date.now() - at;
}

/** A usable session again: Ready, the session active, and a mode switch that reaches the PBX. */
async function usableAgain(env: Env, from: number, mode: Mode): Promise<number> {
  await until(async () => (await view(env.panel)).reg === 'Ready', 45_000, 'Ready again');
  await until(async () => (await view(env.panel)).status === 'active', 20_000, 'session active');
  const ready = Date.now() - from;
  await env.setMode(mode);
  return ready;
}

const wsDropMid: Body = async (env, problems) => {
  await env.ensureCall('1001', '5550101');
  await env.startSession('1001');
  const w = watchPanel(env.panel);
  const at = Date.now();
  await fault(env, { kind: 'drop-sockets' });
  const rec = await usableAgain(env, at, 'whisper').catch((e: Error) => {
    problems.push(e.message);
    return 'never';
  });
  check(problems, env.sessionAt('1001')?.mode === 'whisper', 'the session did not take Whisper after the drop');
  return { happened: said(w.stop()), recoveryMs: rec };
};

const wsDropSwitch: Body = async (env, problems) => {
  await env.ensureCall('1002', '5550102');
  await env.startSession('1002');
  const w = watchPanel(env.panel);
  await env.modeButton('whisper').click();
  const at = Date.now();
  await fault(env, { kind: 'drop-sockets' });
  let rec: number | string = 'never';
  try {
    await until(async () => {
      const v = await view(env.panel);
      const m = await env.panelMode();
      return v.reg === 'Ready' && v.status === 'active' && m !== '' && env.sessionAt('1002')?.mode === m;
    }, 45_000, 'the panel and the PBX agreeing on one mode');
    rec = Date.now() - at;
  } catch (e) {
    problems.push((e as Error).message);
  }
  const m = await env.panelMode();
  const pbx = env.sessionAt('1002')?.mode;
  check(problems, m === pbx, `panel says ${m || 'no mode'}, PBX has ${pbx ?? 'no session'}`);
  return { happened: said(w.stop()), recoveryMs: rec, note: `(ended in ${m || '?'} at both ends)` };
};

const refuseInvite: Body = async (env, problems) => {
  await env.ensureCall('1003', '5550103');
  // Watch 1003 first (the filter), so the refusal meets the INVITE and not the SUBSCRIBE.
  await env.portal.fill('input[name="filter"]', '1003');
  await until(() => [...env.lab.sip.subscriptions.values()].some((s) => s.subscriber === '2001' && s.target === '1003'), 10_000, 'watching 1003');
  await sleep(500);
  const since = env.lab.log.since(0).at(-1)?.seq ?? 0;
  await fault(env, { kind: 'refuse', status: 503, count: 1 });
  const w = watchPanel(env.panel);
  const at = Date.now();
  await clickIcon(env.portal, '1003');
  await until(async () => {
    const v = await view(env.panel);
    return ['failed', 'ended'].includes(v.status) && v.live.includes('(1003)');
  }, 20_000, 'the refusal shown').catch((e: Error) => problems.push(e.message));
  const refused = env.lab.log.since(since).filter((e) => e.kind === 'fault' && /refusing/.test(e.text)).map((e) => e.text).join(', ') || 'nothing refused';
  check(problems, /INVITE/.test(refused), `the lab refused something else: ${refused}`);
  check(problems, !env.sessionAt(), 'a session at the lab after the 503');
  // What a supervisor does next: click again.
  await sleep(500);
  await env.startSession('1003').catch((e: Error) => problems.push(`the next click: ${e.message}`));
  const rec = Date.now() - at;
  return { happened: `${said(w.stop())} (lab: ${refused})`, recoveryMs: rec, sessions: 2 };
};

const refuseRegister: Body = async (env, problems) => {
  const w = watchPanel(env.panel);
  await fault(env, { kind: 'refuse', status: 503, count: 2 });
  const since = env.lab.log.since(0).at(-1)?.seq ?? 0;
  const at = Date.now();
  await fault(env, { kind: 'restart' });
  let rec: number | string = 'never';
  // The panel says Ready until the engine has seen the socket go: wait for that first.
  await until(async () => (await view(env.panel)).reg !== 'Ready', 10_000, 'the panel leaving Ready').catch((e: Error) => problems.push(e.message));
  await env
    .ready(60_000)
    .then(() => (rec = Date.now() - at))
    .catch((e: Error) => problems.push(e.message));
  const refused = env.lab.log.since(since).filter((e) => e.kind === 'fault' && /refusing/.test(e.text)).map((e) => e.text.replace('refusing ', ''));
  check(problems, refused.some((r) => /REGISTER/.test(r)), `no REGISTER was refused (${refused.join(', ')})`);
  return { happened: `${said(w.stop())} (lab refused: ${refused.join(', ') || 'nothing'})`, recoveryMs: rec, sessions: 0 };
};

const labRestart: Body = async (env, problems) => {
  await env.ensureCall('1001', '5550101');
  await env.startSession('1001');
  const w = watchPanel(env.panel);
  const at = Date.now();
  await fault(env, { kind: 'restart' });
  const rec = await usableAgain(env, at, 'barge').catch((e: Error) => {
    problems.push(e.message);
    return 'never';
  });
  return { happened: said(w.stop()), recoveryMs: rec };
};

/** Offline for `ms` with the lab's help: every socket dropped and every new one closed at once, then back. */
async function labOffline(env: Env, ms: number): Promise<void> {
  const sip = env.lab.sip as unknown as { accept(conn: { terminate(): void }, remote: string): void };
  const accept = sip.accept.bind(sip);
  sip.accept = (conn) => conn.terminate();
  await fault(env, { kind: 'drop-sockets' });
  await sleep(ms);
  sip.accept = accept;
}

const offlineLab: Body = async (env, problems) => {
  await env.ensureCall('1002', '5550102');
  await env.startSession('1002');
  const w = watchPanel(env.panel);
  const at = Date.now();
  await labOffline(env, 5000);
  const back = Date.now();
  const rec = await usableAgain(env, back, 'whisper').catch((e: Error) => {
    problems.push(e.message);
    return 'never';
  });
  return { happened: said(w.stop()), recoveryMs: rec, note: `(offline ${back - at} ms; recovery counted from the network's return)` };
};

const offlineCdp: Body = async (env, problems) => {
  await env.ensureCall('1002', '5550102');
  await env.startSession('1002');
  const w = watchPanel(env.panel);
  const target = await offscreenTarget(env.browser, env.s.extensionId);
  if (!target) throw new Error('no offscreen document');
  const t = await TargetSession.attach(env.browser, target);
  const socketBefore = env.lab.sip.registrations.get('2001')?.conn;
  let note = '';
  let back = Date.now();
  try {
    await t.send('Network.enable');
    await t.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await sleep(3000);
    const untouched = env.lab.sip.registrations.get('2001')?.conn === socketBefore;
    // The emulation leaves open WebSockets alone: drop them at the lab, so that reconnecting happens while "offline".
    const since = env.lab.log.since(0).at(-1)?.seq ?? 0;
    await fault(env, { kind: 'drop-sockets' });
    await sleep(5000);
    const attempts = env.lab.log.since(since).filter((e) => e.kind === 'transport' && /^WebSocket from/.test(e.text)).length;
    note = `(emulated offline 8 s: the open SIP WebSocket ${untouched ? 'was untouched for 3 s' : 'was closed'}; then the lab dropped it, and ${attempts} reconnection(s) reached the lab while emulated offline${attempts ? ': the emulation does not block new WebSockets from the offscreen document either' : ''}; recovery counted from going online)`;
    await t.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    back = Date.now();
  } finally {
    await t.detach();
  }
  const rec = await usableAgain(env, back, 'whisper').catch((e: Error) => {
    problems.push(e.message);
    return 'never';
  });
  return { happened: said(w.stop()), recoveryMs: rec, note };
};

const swKilled: Body = async (env, problems) => {
  await env.ensureCall('1001', '5550101');
  await env.startSession('1001');
  await env.setMode('whisper');
  const w = watchPanel(env.panel);
  const sw = await serviceWorkerTarget(env.browser, env.s.extensionId);
  if (!sw) throw new Error('no service worker target');
  const at = Date.now();
  await env.browser.send('Target.closeTarget', { targetId: sw.targetId });
  await sleep(1000);
  check(problems, env.sessionAt('1001')?.mode === 'whisper', 'the call did not go on in Whisper at the lab');
  let rec: number | string = 'never';
  try {
    await until(async () => {
      const v = await view(env.panel);
      return v.reg === 'Ready' && v.status === 'active' && (await env.panelMode()) === 'whisper';
    }, 30_000, 'panel re-synced');
    rec = Date.now() - at;
    await env.setMode('listen');
  } catch (e) {
    problems.push((e as Error).message);
  }
  return { happened: said(w.stop()), recoveryMs: rec };
};

function agentEnds(mode: Mode, agent: string, customer: string): Body {
  return async (env, problems) => {
    await env.ensureCall(agent, customer);
    await env.startSession(agent);
    if (mode !== 'listen') await env.setMode(mode);
    const w = watchPanel(env.panel);
    const at = Date.now();
    await env.endCall(agent);
    let rec: number | string = 'never';
    try {
      await untilStatus(env, ['ended'], 15_000, 'session ended');
      rec = Date.now() - at;
    } catch (e) {
      problems.push((e as Error).message);
    }
    const v = await view(env.panel);
    check(problems, /call ended|ended/i.test(v.live), `no end reason shown: "${v.live}"`);
    await env.ensureCall(agent, customer);
    return { happened: said(w.stop()), recoveryMs: rec };
  };
}

const secondSupervisor: Body = async (env, problems) => {
  await env.ensureCall('1002', '5550102');
  const other = new LabSipClient('2002', 'lab-2002', env.lab.wsUrl);
  const w = watchPanel(env.panel);
  const notes: string[] = [];
  let rec: number | string = 'n/a';
  try {
    check(problems, (await other.register()) === 200, '2002 could not register');
    // Earshot first: the second supervisor is the one the PBX turns away (the lab allows one monitor per call: 486).
    await env.startSession('1002');
    const second = await other.call('*2221002').then(
      () => 'answered',
      (e: { status?: number }) => `refused ${e.status ?? '?'}`,
    );
    notes.push(`2002 after Earshot: ${second}`);
    await sleep(1000);
    check(problems, (await view(env.panel)).status === 'active' && env.sessionAt('1002')?.mode === 'listen', "2002's attempt touched Earshot's session");
    await env.setMode('whisper');
    await env.hangUp();
    // 2002 first: Earshot is the one turned away, and must say so.
    const call = await other.call('*2221002');
    await until(() => [...env.lab.pbx.sessions.values()].some((s) => s.supervisor === '2002' && s.agent === '1002'), 10_000, "2002's session");
    // The panel may still show the earlier session on 1002 as ended: wait for this attempt's own outcome.
    const before = (await view(env.panel)).live;
    const at = Date.now();
    await clickIcon(env.portal, '1002');
    await until(async () => {
      const v = await view(env.panel);
      return ['failed', 'ended'].includes(v.status) && v.live.includes('(1002)') && v.live !== before;
    }, 20_000, 'Earshot refused').catch((e: Error) => problems.push(e.message));
    const v = await view(env.panel);
    notes.push(`Earshot after 2002: “${v.live}”`);
    check(problems, /monitor|busy|486|another/i.test(v.live), `the refusal does not say why: "${v.live}"`);
    check(problems, [...env.lab.pbx.sessions.values()].some((s) => s.supervisor === '2002'), "Earshot's attempt ended 2002's session");
    await call.hangup();
    await sleep(500);
    await env.startSession('1002');
    rec = Date.now() - at;
  } finally {
    await other.close();
  }
  return { happened: `${said(w.stop())} (${notes.join('; ')})`, recoveryMs: rec, sessions: 2, note: '(2 accepted sessions, each needs its Start and End; recovery: from Earshot\'s refused click to its session once 2002 hung up)' };
};

async function setMicPermission(env: Env, setting: 'granted' | 'denied' | 'prompt'): Promise<void> {
  await env.browser.send('Browser.setPermission', { permission: { name: 'microphone' }, setting, origin: `chrome-extension://${env.s.extensionId}` });
}

const micDenied: Body = async (env, problems) => {
  await env.ensureCall('1003', '5550103');
  await setMicPermission(env, 'denied');
  let rec: number | string = 'never';
  const w = watchPanel(env.panel);
  let note = '';
  try {
    await env.startSession('1003');
    const at = Date.now();
    const disabled = await env.modeButton('whisper').getAttribute('aria-disabled');
    await env.modeButton('whisper').click({ timeout: 3000 }).catch(() => (note = '(the Whisper button was not clickable) '));
    await sleep(4000);
    const pbx = env.sessionAt('1003')?.mode;
    const figs = await browserFigures(env.browser, env.s.extensionId);
    check(problems, pbx === 'listen', `the PBX went to ${pbx} without a microphone`);
    check(problems, figs.micTracks === 0, 'a microphone track is live while denied');
    const v = await view(env.panel);
    const session = await env.panel.locator('.earshot-session').innerText();
    note += `(Whisper aria-disabled=${disabled}; the session part said: “${session.replace(/\s+/g, ' ').slice(0, 200)}”) `;
    check(problems, /microphone/i.test(`${v.live} ${session}`), `nothing says the microphone is blocked: "${v.live}"`);
    // The supervisor allows it again and clicks Whisper.
    await setMicPermission(env, 'granted');
    await env.setMode('whisper');
    rec = Date.now() - at;
  } finally {
    await setMicPermission(env, 'granted').catch(() => undefined);
  }
  return { happened: said(w.stop()), recoveryMs: rec, note: `${note}(Browser.setPermission microphone denied for the extension origin; recovery: until Whisper works once granted again)` };
};

function micEnds(mode: Mode, agent: string, customer: string, revoke: boolean): Body {
  return async (env, problems) => {
    await env.ensureCall(agent, customer);
    await env.startSession(agent);
    await env.setMode(mode);
    await until(async () => (await sentRms(env)) > 0.001, 10_000, 'the supervisor heard at the lab');
    const w = watchPanel(env.panel);
    const logBefore = await logRows(env.panel);
    const at = Date.now();
    let note = '';
    if (revoke) {
      await setMicPermission(env, 'denied');
      await sleep(3000);
      const labels = await trackLabels(env.browser, env.s.extensionId);
      note = `(permission denied mid-session: after 3 s the tracks were ${labels.join(', ') || 'none'}) `;
    }
    // A revoked permission may have ended the track already (Chromium does): end it by hand only if it is still live.
    const ended = await endMicrophoneTrack(env.browser, env.s.extensionId);
    if (!revoke) check(problems, ended === 1, `${ended} microphone track(s) found to end`);
    else note += ended ? '(the track was still live: ended by hand) ' : '(the browser had ended the track itself) ';
    let rec: number | string = 'never';
    try {
      // Usable: the panel and the PBX agree, nothing stuck "switching", and the supervisor is not sending a dead microphone as if live.
      await until(async () => {
        const v = await view(env.panel);
        const m = await env.panelMode();
        return v.status !== 'active' || (m !== '' && env.sessionAt(agent)?.mode === m && m === 'listen');
      }, 15_000, 'Earshot noticing the microphone ended (back to Listen or the session ended)');
      rec = Date.now() - at;
    } catch (e) {
      problems.push((e as Error).message);
    }
    const v = await view(env.panel);
    const rows = newRows(logBefore, await logRows(env.panel));
    const text = `${v.live} ${await env.panel.locator('.earshot-session').innerText().catch(() => '')} ${rows.map((r) => r.text).join(' ')}`;
    check(problems, /microphone/i.test(text), `nothing in the panel or the log says the microphone ended: "${v.live}"`);
    if (revoke) await setMicPermission(env, 'granted');
    return { happened: said(w.stop()), recoveryMs: rec, note: `${note}(PBX mode after: ${env.sessionAt(agent)?.mode ?? 'no session'})` };
  };
}

export const LAB_SCENARIOS: Scenario[] = [
  { id: 'control', fault: 'none (control: Listen → Whisper → Join → Listen, hang up)', expected: 'every switch reaches the PBX; nothing left', how: 'panel buttons; lab /api/sessions', body: async (env) => {
    await env.ensureCall('1001', '5550101');
    const w = watchPanel(env.panel);
    const click = await env.startSession('1001');
    const ms = [await env.setMode('whisper'), await env.setMode('barge'), await env.setMode('listen')];
    return { happened: `${said(w.stop())} (click → active ${click} ms; switches ${ms.join('/')} ms)`, recoveryMs: 'n/a' };
  } },
  { id: 'ws-drop-mid', fault: 'SIP WebSocket dropped mid-session (Listen)', expected: '"Reconnecting to the PBX…", then Ready; the call goes on; the next switch works', how: 'lab POST /api/faults {kind:"drop-sockets"}; recovery: to Ready + session active', body: wsDropMid },
  { id: 'ws-drop-switch', fault: 'SIP WebSocket dropped during a mode switch (Listen → Whisper)', expected: 'the panel and the PBX end in the same mode; Ready again', how: 'click Whisper, then drop-sockets at once; recovery: to Ready + panel mode = lab mode', body: wsDropSwitch },
  { id: '503-invite', fault: 'PBX answers 503 to the monitor INVITE', expected: 'the session fails with the PBX named; no call at the PBX; the next click works', how: 'lab refuse {status:503,count:1}; recovery: to the next session active (a second click)', body: refuseInvite },
  { id: '503-register', fault: 'PBX answers 503 to REGISTER (twice, Retry-After 1)', expected: '"Reconnecting…"/failure shown, then Ready by itself', how: 'lab refuse {status:503,count:2} + restart (registrations cleared, sockets dropped); recovery: to Ready', body: refuseRegister },
  { id: 'lab-restart', fault: 'PBX restarted mid-session (lab restart)', expected: 'Ready again without user action; the session goes on or ends with a reason', how: 'lab POST /api/faults {kind:"restart"}; recovery: to Ready + session active + a switch', body: labRestart },
  { id: 'offline-lab', fault: 'network offline 5 s and back (mid-session)', expected: '"Reconnecting…", then Ready; the session goes on', how: 'in the harness: the lab closes every new WebSocket at once for 5 s after drop-sockets; recovery from the network\'s return', body: offlineLab },
  { id: 'offline-cdp', fault: 'network offline 8 s and back (CDP on the offscreen document)', expected: 'as above', how: 'CDP Network.emulateNetworkConditions {offline:true} on the offscreen target for 8 s, the lab dropping the sockets after 3 s', body: offlineCdp },
  { id: 'sw-killed', fault: 'service worker killed mid-Whisper', expected: 'the call goes on in Whisper; the panel re-syncs to Ready + Whisper', how: 'CDP Target.closeTarget on the service worker; recovery: to the panel re-synced', body: swKilled },
  { id: 'agent-ends-listen', fault: "agent's call ends in Listen", expected: 'session ended with the reason; nothing left', how: 'lab DELETE /api/calls/:id; recovery: to the panel saying ended', body: agentEnds('listen', '1004', '5550104') },
  { id: 'agent-ends-whisper', fault: "agent's call ends in Whisper", expected: 'session ended with the reason; microphone closed', how: 'as above', body: agentEnds('whisper', '1004', '5550104') },
  { id: 'agent-ends-barge', fault: "agent's call ends in Join", expected: 'session ended with the reason; microphone closed', how: 'as above', body: agentEnds('barge', '1004', '5550104') },
  { id: 'second-supervisor', fault: 'a second supervisor (2002) on the same call: after Earshot, then before it', expected: "after: 2002 turned away (the lab allows one monitor per call, 486), Earshot's session untouched; before: Earshot refused with a reason, 2002 untouched; Earshot works once 2002 leaves", how: 'lab/test/support/sip-client.ts LabSipClient 2002 dials *2221002', body: secondSupervisor },
  { id: 'mic-denied', fault: 'microphone denied, Whisper clicked', expected: 'stays in Listen at the PBX; the panel says the microphone is blocked; Whisper works once allowed', how: 'CDP Browser.setPermission {name:"microphone"} denied for chrome-extension://<id>', body: micDenied },
  { id: 'mic-revoked-whisper', fault: 'microphone revoked mid-Whisper (permission denied, then the track ends)', expected: 'back to Listen (or ended) with a line saying the microphone ended; nothing live', how: 'Browser.setPermission denied; then the live capture track found by Runtime.queryObjects: stop() + its "ended" event', body: micEnds('whisper', '1005', '5550105', true) },
  { id: 'mic-ended-join', fault: 'microphone device ended mid-Join', expected: 'back to Listen (or ended) with a line saying the microphone ended; nothing live', how: 'the capture track: stop() + "ended" event (a device going away)', body: micEnds('barge', '1005', '5550105', false) },
  { id: 'offscreen-closed', fault: 'offscreen document closed mid-session', expected: "the session shown over with a reason; a new document's engine ends the old call at the PBX (a BYE in the dialog the old one kept) before any new session; Ready again; a new session works", how: 'CDP Target.closeTarget on the offscreen document', body: offscreenClosed },
  {
    id: 'offscreen-crashed',
    fault: 'offscreen document crashed mid-session',
    expected:
      "Chromium kills the extension's renderer: the side panel and the service worker die with the document, the extension is TERMINATED and nothing of it runs until it is reloaded (the browser restarts nothing by itself), so no Earshot code can end the call: the PBX's RTP timeout ends it (set it: docs/pbx-setup.md; the lab's is on, 15 s). After the supervisor reloads Earshot: Ready by itself, the panel and the log say what became of the old call, its End row is written, a new session works",
    how: 'CDP Page.crash on the offscreen target; the lab media timeout 15 s; then chrome.developerPrivate.reload on chrome://extensions',
    body: offscreenCrashed,
  },
];
