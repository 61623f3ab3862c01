/**
 * Real-browser check of the media plane: `npx tsx lab/media/verify-chromium.ts [--loopback-flag] [--all-candidates]`.
 *
 * A headless Chromium page (fake microphone) calls a WebRtcLeg with a plain
 * RTCPeerConnection({iceServers: []}), non-trickle like sip.js. It checks:
 *  1. ICE + DTLS-SRTP connect to the lab on 127.0.0.1;
 *  2. the browser hears the lab's mix (inbound-rtp totalAudioEnergy and an
 *     AnalyserNode peak near the routed party's tone);
 *  3. the lab receives the browser's audio (sent().rms);
 *  4. RFC 4733 DTMF from RTCDTMFSender.insertDTMF() is detected by the lab,
 *     with the microphone and with a silent track (Listen mode).
 * Prints a JSON report; exit code 1 if a check fails.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { MediaHub } from './hub';
import { telephoneEvents } from './sdp';

const loopbackFlag = process.argv.includes('--loopback-flag');
const allCandidates = process.argv.includes('--all-candidates');
const report: Record<string, unknown> = { loopbackFlag, allCandidates };
let failed = false;
const check = (name: string, ok: boolean, detail: unknown): void => {
  report[name] = { ok, detail };
  if (!ok) failed = true;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

const hub = new MediaHub();
hub.addParty('agent', { kind: 'tone', hz: 440 });
hub.addParty('customer', { kind: 'silence' });
const leg = hub.createLeg('sup', { candidates: allCandidates ? 'all' : 'loopback' });
hub.setRoute('sup', ['agent', 'customer']);
hub.setRoute('agent', ['customer', 'sup']);
const digits: { d: string; t: number }[] = [];
leg.onDtmf((d) => digits.push({ d, t: Date.now() }));

const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];
if (loopbackFlag) args.push('--allow-loopback-in-peer-connection');
// getUserMedia needs a secure context: http://127.0.0.1 is one, about:blank is not.
const server = createServer((_req, res) => res.end('<!doctype html><title>lab media check</title>'));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
try {
  const page = await browser.newPage();
  await page.goto(pageUrl);
  const offer = await page.evaluate(async () => {
    const w = window as unknown as Record<string, unknown>;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    const pc = new RTCPeerConnection({ iceServers: [] });
    const sender = pc.addTrack(stream.getAudioTracks()[0]!, stream);
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    pc.ontrack = (ev) => {
      // Chrome needs the remote stream attached to a media element before WebAudio gets samples.
      const el = new Audio();
      el.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
      el.muted = true;
      void el.play();
      ctx.createMediaStreamSource(el.srcObject as MediaStream).connect(analyser);
    };
    Object.assign(w, { pc, sender, analyser, ctx, stream });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((res) => {
      if (pc.iceGatheringState === 'complete') res();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && res());
      setTimeout(res, 3000);
    });
    return pc.localDescription!.sdp;
  });
  report.offerCandidates = offer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
  report.offerTelephoneEvents = telephoneEvents(offer);
  const answer = await leg.answer(offer);
  report.answerCandidates = answer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:') || l.startsWith('c='));
  report.answerTelephoneEvents = telephoneEvents(answer);
  const t0 = Date.now();
  await page.evaluate(async (sdp) => {
    const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
    await pc.setRemoteDescription({ type: 'answer', sdp });
  }, answer);
  const connected = await until(() => leg.state === 'connected', 10_000);
  check('1_connected', connected, { legState: leg.state, ms: Date.now() - t0 });
  await sleep(1500);
  const pageState = await page.evaluate(async () => {
    const { pc, analyser, ctx } = window as unknown as { pc: RTCPeerConnection; analyser: AnalyserNode; ctx: AudioContext };
    await ctx.resume();
    await new Promise((r) => setTimeout(r, 500));
    let inbound: Record<string, unknown> = {};
    let pair: Record<string, unknown> = {};
    const stats = await pc.getStats();
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound = s;
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) {
        const local = stats.get(s.localCandidateId as string) as Record<string, unknown> | undefined;
        const remote = stats.get(s.remoteCandidateId as string) as Record<string, unknown> | undefined;
        pair = { local: `${local?.address}:${local?.port} ${local?.candidateType}`, remote: `${remote?.address}:${remote?.port} ${remote?.candidateType}` };
      }
    });
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let peak = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i]! > bins[peak]!) peak = i;
    return {
      connectionState: pc.connectionState,
      pair,
      codec: inbound.codecId,
      totalAudioEnergy: inbound.totalAudioEnergy,
      audioLevel: inbound.audioLevel,
      packetsReceived: inbound.packetsReceived,
      analyserPeakHz: Math.round((peak * ctx.sampleRate) / analyser.fftSize),
      analyserPeakDb: Math.round(bins[peak]!),
    };
  });
  report.browser = pageState;
  // inbound-rtp audioLevel reads 0 under Playwright (it adds --mute-audio): judge by the AnalyserNode.
  check('2_browser_hears_mix', Number(pageState.packetsReceived) > 50 && Math.abs(pageState.analyserPeakHz - 440) < 15 && pageState.analyserPeakDb > -60, pageState);
  const sent = hub.sent('sup', 1000);
  check('3_lab_receives_browser', sent.rms > 0.001 && sent.frames > 50, sent);
  report.agentHears = hub.heard('agent');

  // 4. RFC 4733: the microphone still attached.
  const packetsSent = (): Promise<number> =>
    page.evaluate(async () => {
      let n = 0;
      (await (window as unknown as { pc: RTCPeerConnection }).pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && s.kind === 'audio') n = Number(s.packetsSent);
      });
      return n;
    });
  const run = async (tones: string): Promise<string> => {
    digits.length = 0;
    await page.evaluate((t) => (window as unknown as { sender: RTCRtpSender }).sender.dtmf!.insertDTMF(t, 100, 70), tones);
    await until(() => digits.length >= tones.length, tones.length * 170 + 3000);
    await sleep(300);
    return digits.map((x) => x.d).join('');
  };
  const withMic = await run('5');
  check('4a_rfc4733_with_mic', withMic === '5', withMic);
  // Listen mode: a silent track instead of the microphone (what sip.js needs for RTCDTMFSender).
  const silentMode = process.argv.includes('--bare-destination') ? 'bare' : 'oscillator';
  report.silentTrack = silentMode;
  await page.evaluate(async (mode) => {
    const w = window as unknown as { sender: RTCRtpSender; ctx: AudioContext };
    const dest = w.ctx.createMediaStreamDestination();
    if (mode === 'oscillator') {
      // A muted oscillator keeps the destination pulled: frames of digital silence flow.
      const osc = w.ctx.createOscillator();
      const gain = w.ctx.createGain();
      gain.gain.value = 0;
      osc.connect(gain).connect(dest);
      osc.start();
    }
    await w.sender.replaceTrack(dest.stream.getAudioTracks()[0]!);
    const dbg = { tones: 0 };
    (w as unknown as { dbg: typeof dbg }).dbg = dbg;
    w.sender.dtmf!.ontonechange = (e) => {
      if (e.tone) dbg.tones++;
    };
  }, silentMode);
  await sleep(700);
  const p0 = await packetsSent();
  await sleep(1000);
  report.silentTrackPacketsPerSecond = (await packetsSent()) - p0;
  const silent = hub.sent('sup', 500);
  check('4b_silent_track_reads_silence', silent.rms < 0.001, silent);
  report.ctxState = await page.evaluate(() => {
    const w = window as unknown as { ctx: AudioContext; sender: RTCRtpSender };
    return { ctx: w.ctx.state, can: w.sender.dtmf!.canInsertDTMF, track: w.sender.track?.readyState };
  });
  const all = await run('0123456789*#ABCD');
  report.duringDtmf = { sent: hub.sent('sup', 3000), tones: await page.evaluate(() => (window as unknown as { dbg: unknown }).dbg) };
  check('4c_rfc4733_all_digits_silent_track', all === '0123456789*#ABCD', all);
  const fast = await run('555');
  check('4d_repeated_digit_default_gap', fast === '555', fast);
  const minimal = await run('1212');
  report.minimalNote = 'durations 100 ms / gap 70 ms (Chrome defaults)';
  check('4e_alternating', minimal === '1212', minimal);
} finally {
  await browser.close();
  await hub.close();
  server.close();
}
report.stats = hub.stats();
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
