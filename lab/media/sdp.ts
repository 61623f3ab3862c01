/**
 * SDP rewriting for a lab that lives on 127.0.0.1.
 *
 * Measured: wrtc (libwebrtc M106) gathers host candidates on every interface,
 * loopback included (127.0.0.1, ::1, plus eth0 and IPv6), and puts the first
 * non-loopback address in `c=`/`m=`. The lab promises "reachable on
 * 127.0.0.1 only", so by default the answer/offer keeps only the IPv4 loopback
 * candidates and points c=/m= at the UDP one. Browsers reach it without any
 * loopback flag: they send their checks from their own host sockets to
 * 127.0.0.1 and the lab learns them as peer-reflexive candidates (this also
 * covers Chrome's mDNS `.local` candidates, which the lab cannot resolve).
 */
export type CandidatePolicy = 'loopback' | 'all';

export function restrictCandidates(sdp: string, policy: CandidatePolicy = 'loopback'): string {
  if (policy === 'all') return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  // Process per media section: find its kept UDP loopback candidate port.
  let section: string[] = [];
  const flush = (): void => {
    if (section.length === 0) return;
    const isMedia = section[0]!.startsWith('m=');
    if (!isMedia) {
      out.push(...section);
      section = [];
      return;
    }
    const kept = section.filter((l) => !l.startsWith('a=candidate:') || isLoopbackV4(l));
    const udp = kept.find((l) => l.startsWith('a=candidate:') && / udp /i.test(l));
    const port = udp ? candidatePort(udp) : undefined;
    for (const l of kept) {
      if (port !== undefined && l.startsWith('m=')) out.push(l.replace(/^(m=\S+ )\d+/, `$1${port}`));
      else if (port !== undefined && l.startsWith('c=IN IP4 ')) out.push('c=IN IP4 127.0.0.1');
      else out.push(l);
    }
    section = [];
  };
  for (const l of lines) {
    if (l.startsWith('m=')) flush();
    section.push(l);
  }
  flush();
  return out.join(eol);
}

function isLoopbackV4(candidateLine: string): boolean {
  // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ ...
  return candidateLine.split(' ')[4] === '127.0.0.1';
}

function candidatePort(candidateLine: string): number | undefined {
  const p = Number(candidateLine.split(' ')[5]);
  return Number.isFinite(p) ? p : undefined;
}

/** Payload types and clock rates of telephone-event in an SDP (for checks and logs). */
export function telephoneEvents(sdp: string): { pt: number; rate: number }[] {
  const out: { pt: number; rate: number }[] = [];
  for (const m of sdp.matchAll(/^a=rtpmap:(\d+) telephone-event\/(\d+)/gim)) out.push({ pt: Number(m[1]), rate: Number(m[2]) });
  return out;
}

/**
 * Makes the browser send RFC 4733 digits whose duration NetEq can play in
 * full: the lab hears RFC 4733 through libwebrtc's NetEq, which plays each
 * event as a tone (see dtmf-detect.ts).
 *
 * Measured (Chrome 156, Firefox ESR 153, Opus calls, telephone-event/8000):
 * each digit leaves the browser as one event counted in 8 kHz ticks against
 * Opus's 48 kHz timestamps, so it ends after one frame (three end packets at
 * once) and NetEq plays it for 10–60 ms: about 1 digit in 150 from Chrome and
 * 1 in 30 from Firefox came out as 10–25 ms of tone, no longer than a blip the
 * detector must reject. A PBX reads the event's duration field instead
 * (libwebrtc writes the elapsed 48 kHz ticks, about 960: ~120 ms at 8 kHz;
 * inferred, the payload is encrypted), so this is the lab's own limit, and
 * the offer is adjusted before the lab answers it:
 * - Opus first and a telephone-event at 48 kHz offered (Chrome): only that
 *   one is kept, and the digits last their 100 ms on the wire;
 * - Opus first and telephone-event at 8 kHz only (Firefox): PCMU goes first,
 *   so the call runs at 8 kHz like most PBX trunks, and the digits are whole.
 * Other offers are left as they are.
 */
export function dtmfFriendlyOffer(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const mIndex = lines.findIndex((l) => l.startsWith('m=audio '));
  if (mIndex < 0) return sdp;
  const end = lines.findIndex((l, i) => i > mIndex && l.startsWith('m='));
  const section = lines.slice(mIndex, end < 0 ? lines.length : end);
  const formats = (name: string) =>
    section.flatMap((l) => {
      const m = new RegExp(`^a=rtpmap:(\\d+) ${name}/(\\d+)`, 'i').exec(l);
      return m ? [{ pt: m[1]!, rate: Number(m[2]) }] : [];
    });
  const mLine = section[0]!.split(' ');
  const red = new Set(formats('red').map((f) => f.pt));
  const first = mLine.slice(3).find((pt) => !red.has(pt));
  const opus = formats('opus')[0];
  const events = formats('telephone-event');
  if (!opus || first !== opus.pt || events.length === 0) return sdp;
  let kept = section;
  if (events.some((e) => e.rate === opus.rate)) {
    const drop = new Set(events.filter((e) => e.rate !== opus.rate).map((e) => e.pt));
    if (drop.size === 0) return sdp;
    kept = section
      .filter((l) => {
        const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(l);
        return !(m && drop.has(m[1]!));
      })
      .map((l) => (l.startsWith('m=audio ') ? l.split(' ').filter((token, i) => i < 3 || !drop.has(token)).join(' ') : l));
  } else {
    const pcmu = formats('PCMU').find((f) => f.rate === 8000);
    if (!pcmu || !events.some((e) => e.rate === 8000)) return sdp;
    const order = [pcmu.pt, ...mLine.slice(3).filter((pt) => pt !== pcmu.pt)];
    kept = [[...mLine.slice(0, 3), ...order].join(' '), ...section.slice(1)];
  }
  return [...lines.slice(0, mIndex), ...kept, ...(end < 0 ? [] : lines.slice(end))].join(eol);
}
