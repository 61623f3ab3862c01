// A second WebRTC supervisor on the bench's own Asterisk ROOT. The shared
// package (../shared/pbx/asterisk) has one WebRTC supervisor (2001, which
// Earshot signs in as) and a UDP one (2002, a baresip peer): the plain sip.js
// page of the click-to-audio comparison needs a WebRTC account of its own.
// This appends one to ROOT/etc/pjsip.conf, the copy start.sh wrote for this
// ROOT only, and reloads PJSIP: the package and every other ROOT stay as they
// are.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Asterisk } from '../../tests/e2e/support/asterisk';

export interface ExtraSupervisor {
  user: string;
  password: string;
}

/** Adds `ext` as a WebRTC supervisor modelled on 2001's sections (webrtc=yes, ulaw, DTLS cert per start) and checks Asterisk has it. */
export async function addWebrtcSupervisor(pbx: Asterisk, ext = '2003'): Promise<ExtraSupervisor> {
  const conf = join(pbx.root, 'etc/pjsip.conf');
  const password = `super${ext}pw`;
  if (!new RegExp(`^\\[${ext}\\]`, 'm').test(readFileSync(conf, 'utf8'))) {
    appendFileSync(
      conf,
      [
        '',
        `;---------------------------------------------------------------- ${ext}: second WebRTC supervisor (added by bench/support/asterisk-supervisor.ts, this ROOT only)`,
        `[${ext}](endpoint-common)`,
        'webrtc = yes',
        'dtls_auto_generate_cert = yes',
        'allow = ulaw',
        `auth = ${ext}`,
        `aors = ${ext}`,
        `callerid = "Supervisor Bench" <${ext}>`,
        `[${ext}](auth-common)`,
        `username = ${ext}`,
        `password = ${password}`,
        `[${ext}](aor-common)`,
        '',
      ].join('\n'),
    );
  }
  await pbx.cli('module reload res_pjsip.so');
  const shown = await pbx.cli(`pjsip show endpoint ${ext}`);
  const facts = shown.split('\n').filter((l) => /^\s*(webrtc|ice_support|media_encryption)\s+:|Endpoint:\s+\d/.test(l));
  // "webrtc : yes", "ice_support : true", "media_encryption : dtls" (pjsip show endpoint).
  if (!new RegExp(`Endpoint:\\s+${ext}/`).test(shown) || !/webrtc\s+:\s+yes/.test(shown) || !/media_encryption\s+:\s+dtls/.test(shown)) {
    throw new Error(`Asterisk did not take the WebRTC supervisor ${ext} after the reload:\n${facts.join('\n')}`);
  }
  return { user: ext, password };
}
