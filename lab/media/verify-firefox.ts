/**
 * Firefox ESR check of the media plane: `npx tsx lab/media/verify-firefox.ts`.
 * Same call as verify-chromium.ts (fake microphone, non-trickle offer), via
 * puppeteer-core + WebDriver BiDi. Prints a JSON report; exit 1 on failure.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer from 'puppeteer-core';
import { MediaHub } from './hub';

const report: Record<string, unknown> = {};
let failed = false;
const check = (name: string, ok: boolean, detail: unknown): void => {
  report[name] = { ok, detail };
  if (!ok) failed = true;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !cond()) await sleep(50);
  return cond();
}

const hub = new MediaHub();
hub.addParty('agent', { kind: 'tone', hz: 440 });
const allCandidates = process.argv.includes('--all-candidates');
report.allCandidates = allCandidates;
const leg = hub.createLeg('sup', { candidates: allCandidates ? 'all' : 'loopback' });
hub.setRoute('sup', ['agent']);
const digits: string[] = [];
leg.onDtmf((d) => digits.push(d));

const server = createServer((_req, res) => res.end('<!doctype html><title>lab media check</title>'));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
console.error('launching firefox');
const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: '/usr/bin/firefox-esr',
  headless: true,
  extraPrefsFirefox: {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    // Firefox drops loopback candidates/addresses unless told otherwise.
    'media.peerconnection.ice.loopback': true,
    'media.autoplay.default': 0,
    'media.peerconnection.ice.obfuscate_host_addresses': false,
  },
});
try {
  console.error('launched');
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const offer = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const pc = new RTCPeerConnection({ iceServers: [] });
    const sender = pc.addTrack(stream.getAudioTracks()[0]!, stream);
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    pc.ontrack = (ev) => ctx.createMediaStreamSource(new MediaStream([ev.track])).connect(analyser);
    Object.assign(window, { pc, sender, analyser, ctx });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((res) => {
      if (pc.iceGatheringState === 'complete') res();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && res());
      setTimeout(res, 3000);
    });
    return pc.localDescription!.sdp;
  });
  console.error('offer ok');
  report.offerCandidates = offer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
  const answer = await leg.answer(offer);
  console.error('answer ok', report.offerCandidates);
  await page.evaluate(async (sdp: string) => {
    await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp });
  }, answer);
  check('1_connected', await until(() => leg.state === 'connected', 10_000), leg.state);
  console.error('state', leg.state, await page.evaluate(() => { const pc = (window as unknown as { pc: RTCPeerConnection }).pc; return [pc.signalingState, pc.iceConnectionState, pc.connectionState]; }));
  await sleep(1500);
  const sent = hub.sent('sup', 1000);
  check('3_lab_receives_browser', sent.rms > 0.001 && sent.frames > 50, sent);
  await page.evaluate(() => (window as unknown as { sender: RTCRtpSender }).sender.dtmf!.insertDTMF('159#', 100, 70));
  await until(() => digits.length >= 4, 4000);
  await sleep(300);
  check('4_rfc4733', digits.join('') === '159#', digits.join(''));
  // Last: in this headless Firefox ESR the AnalyserNode read has been seen to close the target.
  try {
    const heard = await page.evaluate(async () => {
      const { analyser, ctx, pc } = window as unknown as { analyser: AnalyserNode; ctx: AudioContext; pc: RTCPeerConnection };
      await ctx.resume();
      await new Promise((r) => setTimeout(r, 500));
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      let peak = 0;
      for (let i = 1; i < bins.length; i++) if (bins[i]! > bins[peak]!) peak = i;
      let packetsReceived = 0;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') packetsReceived = Number(s.packetsReceived);
      });
      return { peakHz: Math.round((peak * ctx.sampleRate) / analyser.fftSize), peakDb: Math.round(bins[peak]!), packetsReceived, ctx: ctx.state };
    });
    check('2_browser_hears_mix', Math.abs(heard.peakHz - 440) < 15 && heard.peakDb > -60, heard);
  } catch (e) {
    check('2_browser_hears_mix', false, String(e).slice(0, 200));
  }
} finally {
  await browser.close();
  await hub.close();
  server.close();
}
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
