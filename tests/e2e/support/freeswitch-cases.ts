// The cases Earshot runs against the real FreeSWITCH (./freeswitch.ts) with
// the `*33<ext>` eavesdrop profile, written once for every browser: a suite
// supplies the drivers of support/static-portal-*.ts. The modes' steps and
// verdicts are the Asterisk cases' (./asterisk-cases.ts); what differs is
// what FreeSWITCH tells and records.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { newestFile } from './asterisk';
import {
  holdModes,
  measurePhases,
  startListening,
  supervisorRecordings,
  type AgentStateReader,
  type MatrixVerdictRun,
  type PortalDriver,
} from './asterisk-cases';
import type { FreeSwitch, FreeSwitchChannel, SipTrace } from './freeswitch';
import { until } from './lab-client';
import { readRecording } from './recordings';
import type { StatusPanelDriver } from './static-portal-chromium';

export interface FreeSwitchCaseContext {
  pbx: FreeSwitch;
  panel: StatusPanelDriver;
  portal: PortalDriver;
  agentState: AgentStateReader;
  /** The static portal's page with every agent, and the one with none. */
  portalUrl: string;
  emptyPortalUrl: string;
  /** The WebRTC supervisor Earshot signs in as. */
  supervisor: string;
  /** The tone the browser's fake microphone sends. */
  voiceHz: number;
}

const IDLE = new Set(['idle', 'terminated']);
const LIVE_SESSION = new Set(['idle', 'connecting', 'active', 'reconnecting', 'ending']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `*33<agent>` case as the verdict reads it: one call for every mode, digits 2 / 3 / 0 over RFC 4733. */
const EAVESDROP_CASE = { id: 'freeswitch-eavesdrop', codes: { listen: '33', whisper: '33', barge: '33' }, digits: ['2', '3', '0'] };

/** The supervisor's channels at FreeSWITCH (`sofia/internal/2001…`), e.g. its `*33` leg running `eavesdrop`. */
async function supervisorChannels(ctx: FreeSwitchCaseContext): Promise<FreeSwitchChannel[]> {
  return (await ctx.pbx.channels()).filter((c) => c.name.startsWith(`sofia/internal/${ctx.supervisor}`) || c.application === 'eavesdrop');
}

/** Ends every call and waits until FreeSWITCH lists no channel (the recordings then close). */
export async function endAllCalls(ctx: Pick<FreeSwitchCaseContext, 'pbx'>): Promise<void> {
  await ctx.pbx.hangupAll();
  await until(async () => (await ctx.pbx.channels()).length === 0, 15_000, 'every channel gone at FreeSWITCH');
}

/** Ends Earshot's session from the panel; waits until the panel says it is over and FreeSWITCH has no eavesdrop channel left. */
async function hangUpSession(ctx: FreeSwitchCaseContext): Promise<void> {
  await ctx.panel.hangUp();
  await until(async () => !LIVE_SESSION.has((await ctx.panel.session()) ?? 'none'), 15_000, 'the panel to end the session');
  await until(async () => (await supervisorChannels(ctx)).length === 0, 15_000, `no eavesdrop channel of ${ctx.supervisor} left at FreeSWITCH`);
}

/** A dialog-info NOTIFY FreeSWITCH sent: to whom, about whom, the first dialog's state and remote identity. */
export interface FsNotify {
  to: string;
  entity: string;
  state: string;
  remote?: string;
}

/** The dialog-info NOTIFYs among `traces`. */
export function notifiesOf(traces: readonly SipTrace[]): FsNotify[] {
  return traces
    .filter((t) => t.direction === 'send' && t.firstLine.startsWith('NOTIFY ') && /dialog-info/.test(t.text))
    .flatMap((t) => {
      const to = /^To:[^\n]*<sip:([^@>;]+)@/im.exec(t.text)?.[1];
      const entity = /entity="sip:([^@"]+)@/.exec(t.text)?.[1];
      if (!to || !entity) return [];
      const state = /<state[^>]*>\s*(\w+)\s*<\/state>/.exec(t.text)?.[1] ?? 'none';
      const remote = /<remote>\s*<identity[^>]*>([^<]+)<\/identity>/.exec(t.text)?.[1]?.trim();
      return [{ to, entity, state, ...(remote ? { remote } : {}) }];
    });
}

/** The registration FreeSWITCH holds for `user` (`show registrations as json`), if any. */
async function registration(ctx: FreeSwitchCaseContext, user: string): Promise<{ url: string; network_proto?: string } | undefined> {
  const out = (await ctx.pbx.cli('show registrations as json')).trim();
  const rows = (JSON.parse(out || '{}') as { rows?: { reg_user: string; url: string; network_proto?: string }[] }).rows ?? [];
  return rows.find((r) => r.reg_user === user);
}

// ---- 1. registration ----

/** Earshot registers over ws: the panel says Ready and FreeSWITCH holds a ws registration of the supervisor. */
export async function registersOverWs(ctx: FreeSwitchCaseContext): Promise<string> {
  await until(async () => (await ctx.panel.registration()) === 'Ready', 30_000, 'the panel to say Ready');
  const reg = await until(() => registration(ctx, ctx.supervisor), 10_000, `a registration of ${ctx.supervisor} at FreeSWITCH`);
  expect(reg.url).toMatch(/transport=ws\b/i);
  return reg.url;
}

// ---- 2. Listen → Whisper → Join → Listen on a call Earshot saw already up ----

/** What a monitored run found besides the levels. */
export interface EavesdropRun extends MatrixVerdictRun {
  /** The m=audio line of Earshot's INVITE to `*33<agent>` as FreeSWITCH received it. */
  offer: string;
  /** The codecs that INVITE offered (rtpmap names). */
  offeredCodecs: string[];
  /** The supervisor leg's RTP codec at FreeSWITCH while monitoring (`rtp_use_codec_name/rate (channel name)`). */
  legCodec: string;
  /** The m=audio line of FreeSWITCH's answer (its 200 OK to that INVITE). */
  answer: string;
}

/** The INVITE Earshot sent to `*33<agent>` among `traces`, as FreeSWITCH received it. */
function eavesdropInvite(traces: readonly SipTrace[], agent: string): SipTrace | undefined {
  return traces.find((t) => t.direction === 'recv' && t.firstLine.startsWith(`INVITE sip:*33${agent}@`));
}

/** The RFC 4733 digits FreeSWITCH acted on since a log mark (`RTP RECV DTMF <digit>:<duration>`, logged at each digit's end). */
function digitsReceived(ctx: FreeSwitchCaseContext, mark: number): string[] {
  return [...ctx.pbx.logSince(mark).matchAll(/RTP RECV DTMF ([0-9*#A-D]):\d+/g)].map((m) => m[1] ?? '');
}

/**
 * The customer calls `agent` while Earshot watches nobody (the portal tab on
 * its page without agents); then the portal page with the agents is loaded,
 * so Earshot's SUBSCRIBE comes after the call was up. FreeSWITCH's first
 * NOTIFY of the new subscription is confirmed and names the customer (unlike
 * Asterisk's), so Whisper is available. The supervisor clicks the icon and
 * Listen → Whisper → Join → Listen with the real mouse; the session is hung
 * up (no eavesdrop channel left), the call ended, every recording measured.
 */
export async function eavesdropOnCallSeenUp(ctx: FreeSwitchCaseContext, agent: string): Promise<EavesdropRun> {
  await ctx.portal.open(ctx.emptyPortalUrl);
  // Earshot lets the agent go once no portal shows them: its last SUBSCRIBE to the agent, if any, has Expires: 0.
  await until(() => {
    const last = ctx.pbx.sipTraces(0).filter((t) => t.direction === 'recv' && t.firstLine.startsWith(`SUBSCRIBE sip:${agent}@`)).at(-1);
    return !last || /^Expires:\s*0\s*$/im.test(last.text);
  }, 15_000, `Earshot not subscribed to ${agent} at FreeSWITCH`);
  const since = Date.now();
  const mark = ctx.pbx.logMark();
  const call = await ctx.pbx.customerCall(agent, 0);
  let windows: Awaited<ReturnType<typeof holdModes>> = [];
  let legCodec = '';
  try {
    await ctx.portal.open(ctx.portalUrl);
    await until(async () => (await ctx.agentState(agent)) === 'confirmed', 15_000, `Earshot to see ${agent} on a call`);
    const notifies = await until(() => {
      const list = notifiesOf(ctx.pbx.sipTraces(mark)).filter((n) => n.to === ctx.supervisor && n.entity === agent);
      return list.some((n) => n.state === 'confirmed') ? list : undefined;
    }, 5000, `FreeSWITCH's NOTIFYs to ${ctx.supervisor} about ${agent}`);
    // Earshot heard of this call first when it was already up, and FreeSWITCH named the customer then.
    const firstWithDialog = notifies.find((n) => n.state !== 'none');
    expect(firstWithDialog).toEqual({ to: ctx.supervisor, entity: agent, state: 'confirmed', remote: 'sip:5550100@127.0.0.1' });

    const shownAt = await startListening(ctx, agent);
    expect((await ctx.panel.modeAvailability('whisper')).disabled).toBe(false);
    const leg = await until(async () => (await supervisorChannels(ctx)).find((c) => c.application === 'eavesdrop'), 10_000, `the eavesdrop leg of ${ctx.supervisor} at FreeSWITCH`);
    // The codec the leg's RTP uses (read_codec in `show channels` is what eavesdrop's media bug reads: L16).
    const getvar = async (name: string) => (await ctx.pbx.cli(`uuid_getvar ${leg.uuid} ${name}`)).trim();
    legCodec = `${await getvar('rtp_use_codec_name')}/${await getvar('rtp_use_codec_rate')} (${leg.name})`;
    windows = await holdModes(ctx.panel, shownAt);
    await hangUpSession(ctx);
  } finally {
    await endAllCalls(ctx);
  }
  // record_session completes the files right after the hangup.
  await sleep(1500);

  const traces = ctx.pbx.sipTraces(mark);
  const invite = eavesdropInvite(traces, agent);
  if (!invite) throw new Error(`FreeSWITCH received no INVITE to *33${agent} (siptrace)`);
  const offer = /^m=audio [^\n]*/m.exec(invite.text)?.[0]?.trim() ?? '';
  const callId = /^Call-ID:\s*(\S+)/im.exec(invite.text)?.[1] ?? '';
  const ok = traces.find((t) => t.direction === 'send' && t.firstLine.startsWith('SIP/2.0 200') && t.text.includes(callId) && /^CSeq:\s*\d+ INVITE/m.test(t.text));
  const answer = /^m=audio [^\n]*/m.exec(ok?.text ?? '')?.[0]?.trim() ?? '';
  const offeredCodecs = offer
    .split(' ')
    .slice(3)
    .map((pt) => new RegExp(`^a=rtpmap:${pt} ([^/\\s]+)`, 'm').exec(invite.text)?.[1] ?? `?${pt}`);

  const supervisor = supervisorRecordings(ctx.pbx.info.recordings, ctx.supervisor, agent, since);
  if (supervisor.length === 0) throw new Error(`no recording of ${ctx.supervisor}'s *33 calls on ${agent} in ${ctx.pbx.info.recordings}`);
  const agentFile = newestFile(ctx.pbx.info.agents.find((a) => a.ext === agent)?.recordings ?? '', /^dump-.*-dec\.wav$/, since);
  if (!agentFile) throw new Error(`no baresip recording of what ${agent} heard`);
  return {
    case: EAVESDROP_CASE,
    voiceHz: ctx.voiceHz,
    phases: measurePhases({ windows, supervisor, customer: readRecording(call.customer_heard), agentHeard: readRecording(agentFile), voiceHz: ctx.voiceHz }),
    digits: digitsReceived(ctx, mark),
    supervisorFiles: supervisor.map((s) => s.heard.path.split('/').pop() ?? ''),
    notifies: [notifiesOf(traces).filter((n) => n.to === ctx.supervisor && n.entity === agent).map((n) => (n.remote ? `${n.state} (${n.remote})` : n.state)).join(' → ')],
    offer,
    offeredCodecs,
    legCodec,
    answer,
  };
}

/** Earshot offered G.711 only (the profile's preference), FreeSWITCH answered G.711, and the leg's RTP is 8 kHz G.711. */
export function expectG711(run: EavesdropRun): void {
  expect(run.offeredCodecs.filter((c) => c !== 'telephone-event')).toEqual(['PCMU', 'PCMA']);
  expect(run.answer).toMatch(/^m=audio \d+ \S+ (0|8)( |$)/);
  expect(run.legCodec).toMatch(/^(PCMU|PCMA)\/8000 /);
}

// ---- 3. `*33<ext>` when FreeSWITCH finds no call ----

/**
 * `*33<agent>` when FreeSWITCH's lookup of the agent's channel finds none (its
 * spymap entry points at a channel that no longer exists, as for an agent
 * whose call is gone) while Earshot sees the agent on a call: FreeSWITCH
 * answers and hangs up at once, and the panel says it found no call (not a
 * generic end). Returns the panel's status line and the answer-to-BYE time.
 */
export async function noCallToEavesdrop(ctx: FreeSwitchCaseContext, agent: string): Promise<{ status: string; answerToByeMs: number | undefined }> {
  await ctx.portal.open(ctx.portalUrl);
  await until(async () => IDLE.has((await ctx.agentState(agent)) ?? ''), 15_000, `Earshot to know ${agent} is idle`);
  await ctx.pbx.customerCall(agent, 0);
  try {
    await until(async () => (await ctx.agentState(agent)) === 'confirmed', 15_000, `Earshot to see ${agent} on a call`);
    await ctx.pbx.cli(`hash insert/spymap/${agent}/${randomUUID()}`);
    const mark = ctx.pbx.logMark();
    await until(() => ctx.portal.iconShown(agent), 15_000, `the icon of ${agent}`);
    await ctx.portal.clickIcon(agent);
    await until(async () => (await ctx.panel.session()) === 'failed', 20_000, 'the panel to show the session failed');
    const status = await ctx.panel.statusText();
    expect(status).toMatch(/The PBX answered and hung up at once: it found no call of .+ to listen to\./);
    // FreeSWITCH's channel list lags the calls by up to about a second.
    await until(async () => (await supervisorChannels(ctx)).length === 0, 5000, `no eavesdrop channel of ${ctx.supervisor} left at FreeSWITCH`);
    // FreeSWITCH's 200 OK to Earshot's INVITE, then its BYE to Earshot.
    const traces = ctx.pbx.sipTraces(mark).filter((t) => t.direction === 'send' && t.transport === 'ws');
    const ok = traces.find((t) => t.firstLine.startsWith('SIP/2.0 200') && /^CSeq:\s*\d+ INVITE/m.test(t.text));
    const bye = traces.find((t) => t.firstLine.startsWith('BYE ') && t.atMs >= (ok?.atMs ?? Infinity));
    expect(ok && bye, "FreeSWITCH's 200 OK and BYE to Earshot in the siptrace").toBeTruthy();
    return { status, answerToByeMs: Math.round((bye!.atMs - ok!.atMs) * 10) / 10 };
  } finally {
    await endAllCalls(ctx);
  }
}
