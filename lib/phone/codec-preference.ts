import type { SessionDescriptionHandlerModifier } from 'sip.js';

/**
 * A sip.js SessionDescriptionHandler modifier that keeps only `codecs` (SDP
 * rtpmap names, e.g. PCMU, PCMA; case-insensitive) in every audio section, in
 * that order, with the RFC 4733 `telephone-event` of their clock rates (so
 * DTMF keeps working at 8 kHz), and drops the rtpmap / fmtp / rtcp-fb lines of
 * what it removed. The browser then offers, and sets up, only those codecs:
 * the PBX cannot pick another (FreeSWITCH eavesdrop does not resample, so an
 * Opus leg on an 8 kHz call garbles both directions: pbx-dialects.md).
 *
 * sip.js runs modifiers on our offer before setLocalDescription and on the
 * PBX's answer before setRemoteDescription; a section that has none of
 * `codecs` (a PBX that answered with something else) is left as it is,
 * never emptied.
 */
export function preferCodecs(codecs: readonly string[]): SessionDescriptionHandlerModifier {
  return (description) => Promise.resolve(description.sdp ? { ...description, sdp: keepCodecs(description.sdp, codecs) } : description);
}

/** The SDP with only `codecs` (and their telephone-event) in its audio sections; see {@link preferCodecs}. */
export function keepCodecs(sdp: string, codecs: readonly string[]): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  let section: string[] = [];
  const flush = () => {
    out.push(...(section[0]?.startsWith('m=audio ') ? audioSection(section, codecs) : section));
    section = [];
  };
  for (const line of lines) {
    if (line.startsWith('m=')) flush();
    section.push(line);
  }
  flush();
  return out.join(eol);
}

/** The payload type an `a=rtpmap:` / `a=fmtp:` / `a=rtcp-fb:` line is about, if it is one of those. */
function payloadOf(line: string): string | undefined {
  return /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[\s/]/.exec(line)?.[1];
}

function audioSection(section: string[], codecs: readonly string[]): string[] {
  const m = /^m=audio (\S+) (\S+)((?: \d+)*)\s*$/.exec(section[0] ?? '');
  if (!m) return section;
  const offered = (m[3] ?? '').trim().split(/\s+/).filter(Boolean);
  const rtpmap = new Map<string, { name: string; rate: string }>();
  for (const line of section) {
    const map = /^a=rtpmap:(\d+) ([^/\s]+)\/(\d+)/.exec(line);
    if (map) rtpmap.set(map[1]!, { name: map[2]!.toLowerCase(), rate: map[3]! });
  }
  const kept: string[] = [];
  for (const codec of codecs) {
    for (const pt of offered) {
      if (!kept.includes(pt) && rtpmap.get(pt)?.name === codec.toLowerCase()) kept.push(pt);
    }
  }
  if (kept.length === 0) return section;
  const rates = new Set(kept.map((pt) => rtpmap.get(pt)?.rate));
  kept.push(...offered.filter((pt) => rtpmap.get(pt)?.name === 'telephone-event' && rates.has(rtpmap.get(pt)?.rate)));
  const keep = new Set(kept);
  return [
    `m=audio ${m[1]} ${m[2]} ${kept.join(' ')}`,
    ...section.slice(1).filter((line) => {
      const pt = payloadOf(line);
      return pt === undefined || keep.has(pt);
    }),
  ];
}
