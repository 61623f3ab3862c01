// Serves the plain sip.js page of the click-to-audio benchmark (bench only).
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { planStart } from '../../lib/pbx/plan';
import { BUILT_IN_PROFILES } from '../../lib/pbx/profiles';

/** The code Earshot dials for Listen on this agent with the lab's ChanSpy profile. */
export function chanSpyTarget(agent: string): string {
  const dial = planStart(BUILT_IN_PROFILES['asterisk-chanspy'], agent).find((a) => a.kind === 'dial');
  if (!dial || dial.kind !== 'dial') throw new Error('the ChanSpy profile does not dial');
  return dial.target;
}

/**
 * Serves the page on http://localhost:<port> (a secure context, and not the
 * portal's origin, so Earshot's content script stays out of it). Returns its
 * URL and a close function.
 */
export async function servePlainPage(agent: string, domain: string): Promise<{ url: string; close(): Promise<void> }> {
  const bundle = await build({
    entryPoints: ['bench/plain-sipjs/page.ts'],
    bundle: true,
    format: 'iife',
    target: 'chrome120',
    minify: true,
    write: false,
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const html = `<!doctype html><meta charset="utf-8"><title>Plain sip.js</title>
<button id="dial" data-target="${chanSpyTarget(agent)}" data-domain="${domain}">Listen to ${agent}</button>
<script src="/page.js"></script>`;
  const server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
