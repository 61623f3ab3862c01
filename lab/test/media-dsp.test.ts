// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '../media/audio';
import { classify, DtmfDetector, dtmfFrequencies } from '../media/dtmf-detect';
import { decimate, dominantTone, toneRms } from '../media/goertzel';
import { ToMono48k } from '../media/resample';
import { dtmfFriendlyOffer, restrictCandidates, telephoneEvents } from '../media/sdp';
import { DualToneGenerator, ToneGenerator, type FrameGenerator } from '../media/tone';

/** n ms of a generator's output at 48 kHz. */
function render(gen: FrameGenerator | null, ms: number): Float32Array {
  const out = new Float32Array((ms / 10) * FRAME_SAMPLES);
  const f = new Float32Array(FRAME_SAMPLES);
  for (let i = 0; i < ms / 10; i++) {
    if (gen) gen.next(f);
    else f.fill(0);
    out.set(f, i * FRAME_SAMPLES);
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A key sequence as PCM: each digit `onMs` of dual tone then `offMs` of silence. */
function keys(digits: string, onMs = 100, offMs = 70, amplitude = 0.125): Float32Array {
  const parts: Float32Array[] = [render(null, 50)];
  for (const d of digits) {
    const [r, c] = dtmfFrequencies(d);
    parts.push(render(new DualToneGenerator(r, c, amplitude), onMs), render(null, offMs));
  }
  return concat(parts);
}

/** Feed in 10 ms frames, like the leg does. */
function detect(pcm: Float32Array): string {
  const det = new DtmfDetector();
  let out = '';
  for (let o = 0; o < pcm.length; o += FRAME_SAMPLES) out += det.push(pcm.subarray(o, o + FRAME_SAMPLES)).join('');
  return out;
}

/** Deterministic white-ish noise (LCG), amplitude a. */
function noise(ms: number, a: number): Float32Array {
  const out = new Float32Array((ms / 10) * FRAME_SAMPLES);
  let s = 12345;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = a * ((s / 2 ** 32) * 2 - 1);
  }
  return out;
}

describe('goertzel', () => {
  it('measures the RMS of a tone component and ignores other tones', () => {
    const x = render(new ToneGenerator(700, 0.5), 100);
    expect(toneRms(x, 700, 48_000)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    expect(toneRms(x, 1000, 48_000)).toBeLessThan(0.01);
  });

  it('names the dominant tone to within 2 Hz, and nothing in silence or noise', () => {
    expect(Math.abs(dominantTone(render(new ToneGenerator(700, 0.3), 500))! - 700)).toBeLessThanOrEqual(2);
    expect(Math.abs(dominantTone(render(new ToneGenerator(1333, 0.05), 300))! - 1333)).toBeLessThanOrEqual(2);
    expect(dominantTone(render(null, 300))).toBeUndefined();
    expect(dominantTone(noise(300, 0.3))).toBeUndefined();
  });

  it('decimates by averaging', () => {
    expect(Array.from(decimate(Float32Array.from([1, 1, 1, 3, 3, 3]), 3))).toEqual([1, 3]);
  });
});

describe('DTMF detector', () => {
  it('reports each of the 16 keys exactly once (100 ms tone, 70 ms gap: RFC 4733 / Chrome defaults)', () => {
    expect(detect(keys('0123456789*#ABCD'))).toBe('0123456789*#ABCD');
  });

  it('separates a repeated key by its gap and reports a long press once', () => {
    expect(detect(keys('555'))).toBe('555');
    expect(detect(keys('7', 1000))).toBe('7');
  });

  it('detects 40 ms tones with 40 ms gaps, and quiet keys (-30 dBFS per tone)', () => {
    expect(detect(keys('1590', 40, 40))).toBe('1590');
    expect(detect(keys('#2', 100, 70, 0.03))).toBe('#2');
  });

  it('rejects 20 ms blips and accepts 40 ms keys whatever their phase against the 5 ms evaluation grid', () => {
    for (let lead = 0; lead < 10; lead++) {
      const pad = new Float32Array(lead * 48);
      expect(detect(concat([pad, keys('8', 20, 100)]))).toBe('');
      expect(detect(concat([pad, keys('8', 40, 40)]))).toBe('8');
    }
  });

  it('ignores blips, single tones, noise and silence', () => {
    expect(detect(keys('5', 20, 100))).toBe('');
    expect(detect(render(new ToneGenerator(697, 0.3), 500))).toBe('');
    expect(detect(render(new ToneGenerator(700, 0.3), 500))).toBe('');
    expect(detect(noise(500, 0.3))).toBe('');
    expect(detect(render(null, 500))).toBe('');
  });

  it('rejects a key buried in louder speech-like content, keeps one over a quiet tone', () => {
    const [r, c] = dtmfFrequencies('3');
    const key = render(new DualToneGenerator(r, c, 0.05), 200);
    const loud = noise(200, 0.5);
    expect(detect(key.map((v, i) => v + loud[i]!))).toBe('');
    const hum = render(new ToneGenerator(440, 0.01), 200);
    expect(detect(concat([render(null, 30), key.map((v, i) => v + hum[i]!)]))).toBe('3');
  });

  // What the lab's legs really get: Chrome sends an RFC 4733 digit over Opus as one 20 ms event
  // (3 end packets at once) and libwebrtc's NetEq plays it as 25–60 ms of tone, the high tone
  // ~3 dB above the low one (measured at the lab: 0.078 and 0.106 RMS), often with a dip a few
  // ms in or a phase jump where NetEq restarts the tone, sometimes right after the microphone's
  // audio. `shape` is [ms, level, phase] pieces.
  function rendered(digit: string, shape: [number, number, number?][], lead = 0): Float32Array {
    const [r, c] = dtmfFrequencies(digit);
    const total = shape.reduce((n, [ms]) => n + ms, 0);
    const out = new Float32Array(Math.round(((lead + 60 + total + 200) * 48_000) / 1000));
    let at = Math.round(((lead + 60) * 48_000) / 1000);
    for (const [ms, level, phase = 0] of shape) {
      for (let i = 0; i < (ms * 48_000) / 1000; i++, at++) {
        out[at] = level * (0.11 * Math.sin((2 * Math.PI * r * at) / 48_000 + phase) + 0.15 * Math.sin((2 * Math.PI * c * at) / 48_000 + phase));
      }
    }
    return out;
  }
  const detectAll = (pcm: Float32Array) => {
    const det = new DtmfDetector();
    let out = '';
    // Frames of 480 samples, as the leg feeds them; the tail may be short.
    for (let o = 0; o < pcm.length; o += FRAME_SAMPLES) out += det.push(pcm.subarray(o, Math.min(pcm.length, o + FRAME_SAMPLES))).join('');
    return out;
  };
  const atEveryPhase = (make: (lead: number) => Float32Array) => {
    const results = new Set<string>();
    for (let lead = 0; lead < 10; lead += 0.5) results.add(detectAll(make(lead)));
    return [...results];
  };

  it("hears NetEq's rendering of a browser RFC 4733 digit exactly once, whatever its phase", () => {
    // ~50 ms: 10 ms, a 10 ms half-level dip, 30 ms, a 10 ms half-level tail (the common shape).
    expect(atEveryPhase((lead) => rendered('6', [[10, 1], [10, 0.5], [30, 1], [10, 0.5]], lead))).toEqual(['6']);
    // The shortest seen: 30 ms of steady tone.
    expect(atEveryPhase((lead) => rendered('4', [[30, 1]], lead))).toEqual(['4']);
    // NetEq restarting its tone mid-key (a phase jump, a 5 ms half-level dip): still one key press.
    expect(atEveryPhase((lead) => rendered('4', [[40, 1], [5, 0.5, 2], [40, 1, 3]], lead))).toEqual(['4']);
    expect(atEveryPhase((lead) => rendered('4', [[40, 1], [40, 1, Math.PI]], lead))).toEqual(['4']);
    expect(atEveryPhase((lead) => rendered('5', [[20, 1], [10, 0.25], [35, 1]], lead))).toEqual(['5']);
    // Quieter (-12 dB) renderings too.
    expect(atEveryPhase((lead) => rendered('9', [[10, 0.25], [10, 0.12], [30, 0.25]], lead))).toEqual(['9']);
  });

  it('hears the rendered digit right after the microphone (Join → Listen), and a repeated one as two', () => {
    const mic = render(new ToneGenerator(900, 0.2), 300);
    expect(atEveryPhase((lead) => concat([mic, render(null, 20), rendered('4', [[10, 1], [10, 0.5], [30, 1]], lead)]))).toEqual(['4']);
    // One event every 170 ms (100 ms + 70 ms gap), each rendered as ~50 ms: two presses.
    const press = () => rendered('5', [[10, 1], [10, 0.5], [30, 1]]);
    expect(atEveryPhase((lead) => concat([new Float32Array(Math.round(lead * 48)), press().subarray(0, 170 * 48), press()]))).toEqual(['55']);
    // Different digits back to back (a NetSapiens code "*2" as rendered).
    expect(detectAll(concat([rendered('*', [[10, 1], [10, 0.5], [30, 1]]).subarray(0, 170 * 48), rendered('2', [[10, 1], [10, 0.5], [30, 1]])]))).toBe('*2');
  });

  it('classifies an 8 kHz window', () => {
    const w = new Float32Array(200);
    for (let i = 0; i < 200; i++) w[i] = 0.1 * Math.sin((2 * Math.PI * 852 * i) / 8000) + 0.1 * Math.sin((2 * Math.PI * 1477 * i) / 8000);
    expect(classify(w)).toBe('9');
  });
});

describe('ToMono48k', () => {
  it('upsamples 16 kHz frames to 48 kHz keeping the frequency, continuously across frames', () => {
    const r = new ToMono48k();
    const parts: Float32Array[] = [];
    let t = 0;
    for (let f = 0; f < 50; f++) {
      const s = new Int16Array(160);
      for (let i = 0; i < 160; i++) s[i] = Math.round(8000 * Math.sin((2 * Math.PI * 700 * t++) / 16000));
      parts.push(r.convert(s, 16000, 1));
    }
    const out = concat(parts);
    expect(Math.abs(out.length - 24_000)).toBeLessThanOrEqual(3);
    expect(Math.abs(dominantTone(out)! - 700)).toBeLessThanOrEqual(2);
    expect(toneRms(out, 700, 48_000, 4800, 9600)).toBeCloseTo(8000 / 32768 / Math.SQRT2, 2);
  });

  it('downmixes interleaved stereo at 48 kHz', () => {
    const r = new ToMono48k();
    expect(Array.from(r.convert(Int16Array.from([16384, 0, -16384, -16384]), 48_000, 2))).toEqual([0.25, -0.5]);
  });
});

describe('SDP', () => {
  const sdp = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 51193 UDP/TLS/RTP/SAVPF 111 126',
    'c=IN IP4 192.0.2.2',
    'a=candidate:1 1 udp 2122265343 fd00::2 42020 typ host generation 0',
    'a=candidate:2 1 udp 2122194687 192.0.2.2 51193 typ host generation 0',
    'a=candidate:3 1 udp 2122063615 127.0.0.1 44970 typ host generation 0',
    'a=candidate:4 1 tcp 1518083839 127.0.0.1 43043 typ host tcptype passive generation 0',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:126 telephone-event/8000',
    '',
  ].join('\r\n');

  it('keeps only IPv4 loopback candidates and points c=/m= at the UDP one', () => {
    const out = restrictCandidates(sdp);
    const cands = out.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    expect(cands).toHaveLength(2);
    expect(cands.every((l) => l.includes(' 127.0.0.1 '))).toBe(true);
    expect(out).toContain('m=audio 44970 UDP/TLS/RTP/SAVPF 111 126\r\n');
    expect(out).toContain('c=IN IP4 127.0.0.1\r\n');
    expect(out.endsWith('\r\n')).toBe(true);
    expect(restrictCandidates(sdp, 'all')).toBe(sdp);
  });

  it('lists telephone-event payload types', () => {
    expect(telephoneEvents(sdp)).toEqual([{ pt: 126, rate: 8000 }]);
  });

  it('adjusts an Opus offer so RFC 4733 digits come whole: 48 kHz events (Chrome) or PCMU first (Firefox)', () => {
    const chrome = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
      'a=rtpmap:111 opus/48000/2',
      'a=fmtp:111 minptime=10;useinbandfec=1',
      'a=rtpmap:63 red/48000/2',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:110 telephone-event/48000',
      'a=rtpmap:126 telephone-event/8000',
      'a=fmtp:126 0-15',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=rtpmap:96 VP8/90000',
      '',
    ].join('\r\n');
    const out = dtmfFriendlyOffer(chrome);
    expect(telephoneEvents(out)).toEqual([{ pt: 110, rate: 48000 }]);
    expect(out).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110\r\n');
    expect(out).not.toContain('a=fmtp:126');
    expect(out).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n');
    const firefox = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101',
      'a=rtpmap:109 opus/48000/2',
      'a=rtpmap:9 G722/8000/1',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000/1',
      '',
    ].join('\r\n');
    expect(dtmfFriendlyOffer(firefox)).toBe(firefox.replace('SAVPF 109 9 0 8 101', 'SAVPF 0 109 9 8 101'));
    // No PCMU to fall back on, or PCMU already first: unchanged.
    expect(dtmfFriendlyOffer(sdp)).toBe(sdp);
    const pcmuFirst = chrome.replace('SAVPF 111 63 9 0', 'SAVPF 0 111 63 9');
    expect(dtmfFriendlyOffer(pcmuFirst)).toBe(pcmuFirst);
  });
});
