// `npm run pack`: the organization's own Chrome package, installed by policy
// from the organization's web server instead of a store. Writes, into --out:
//   earshot-<version>.crx   packed by Chrome itself (--pack-extension) with the
//                           organization's key: the key fixes the extension id;
//   updates.xml             the update manifest Chrome polls (gupdate);
//   policy.json             the ExtensionSettings entry and the id to name in
//                           the rest of the policy (docs/admin-guide.md).
// With --portal, the portal origin is a required host permission: Chrome grants
// it to a force-installed extension at install, so no supervisor has to click
// "Enable on this portal" (a policy cannot grant an optional permission).
//
//   npm run pack -- --key earshot-org.pem --update-url https://intranet.example.com/earshot/updates.xml \
//                   [--portal https://portal.example.com] [--out dist/chrome] [--new-key] [--chrome /path/to/chrome]
//   npm run pack -- --browser firefox --install-url https://intranet.example.com/earshot/ \
//                   --portal https://portal.example.com [--gecko-id earshot@example.com] [--out dist/firefox]
// (Firefox: scripts/pack-firefox.ts.)
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packFirefox } from './pack-firefox';

export interface PackOptions {
  key: string;
  updateUrl: string;
  portal?: string;
  out: string;
  newKey?: boolean;
  chrome?: string;
  /** Build root (EARSHOT_OUTPUT); a temporary one by default. */
  output?: string;
}

export interface PackResult {
  id: string;
  version: string;
  crx: string;
  updatesXml: string;
  policy: string;
}

/** Chrome's extension id for a public key (DER SubjectPublicKeyInfo): its SHA-256, first 16 bytes, hex digits 0–f written a–p. */
export function extensionIdOfPublicKey(der: Buffer): string {
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode('a'.charCodeAt(0) + parseInt(c, 16))).join('');
}

/** The extension id a private key (PEM) gives the packages it signs. */
export function extensionIdOf(pem: string): string {
  return extensionIdOfPublicKey(createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' }));
}

/** The portal origin as a host-permission match pattern, or a clear error. */
export function portalPattern(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new Error(`--portal ${origin}: not a URL; give the portal's origin, e.g. https://portal.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--portal ${origin}: only http(s) portals`);
  if (url.pathname !== '/' || url.search || url.hash) throw new Error(`--portal ${origin}: give the origin only (scheme, host, port), not a path`);
  // Match patterns carry no port: the pattern covers the host on every port.
  return `${url.protocol}//${url.hostname}/*`;
}

export function updatesXml(id: string, version: string, codebase: string): string {
  const attr = (s: string) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gupdate xmlns="http://www.google.com/update2/response" protocol="2.0">',
    `  <app appid="${attr(id)}">`,
    `    <updatecheck codebase="${attr(codebase)}" version="${attr(version)}" />`,
    '  </app>',
    '</gupdate>',
    '',
  ].join('\n');
}

export function pack(options: PackOptions): PackResult {
  const key = resolve(options.key);
  if (!existsSync(key)) {
    if (!options.newKey) throw new Error(`${key} does not exist. Pass the organization's key, or --new-key to create one (then keep it: it is the extension's id).`);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    console.log(`pack: created ${key}. Keep it safe and reuse it for every update: another key is another extension.`);
  }
  const pem = readFileSync(key, 'utf8');
  const id = extensionIdOf(pem);
  let update: URL;
  try {
    update = new URL(options.updateUrl);
  } catch {
    throw new Error(`--update-url ${options.updateUrl}: not a URL`);
  }
  const hosts = options.portal ? portalPattern(options.portal) : '';
  const output = options.output ?? mkdtempSync(join(tmpdir(), 'earshot-pack-'));
  execFileSync('npx', ['wxt', 'build'], {
    stdio: 'inherit',
    env: { ...process.env, EARSHOT_OUTPUT: output, EARSHOT_ORG_HOSTS: hosts, EARSHOT_UPDATE_URL: update.href, EARSHOT_TEST_HOSTS: '' },
  });
  const built = join(output, 'org', 'chrome-mv3');
  const manifest = JSON.parse(readFileSync(join(built, 'manifest.json'), 'utf8')) as { version: string; key?: string };
  if (manifest.key) throw new Error('the organization build carries a manifest key: it would override the organization key');
  // Chrome writes <dir>.crx beside the folder it packs.
  const stage = mkdtempSync(join(tmpdir(), 'earshot-crx-'));
  const dir = join(stage, 'earshot');
  cpSync(built, dir, { recursive: true });
  const chrome = options.chrome ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  execFileSync(chrome, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--pack-extension=${dir}`, `--pack-extension-key=${key}`], {
    stdio: 'pipe',
  });
  if (!existsSync(`${dir}.crx`)) throw new Error(`${chrome} did not write a package (is it Chrome or Chromium?)`);
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const crxName = `earshot-${manifest.version}.crx`;
  const crx = join(out, crxName);
  copyFileSync(`${dir}.crx`, crx);
  rmSync(stage, { recursive: true, force: true });
  if (!options.output) rmSync(output, { recursive: true, force: true });
  const codebase = new URL(crxName, update).href;
  const xml = join(out, 'updates.xml');
  writeFileSync(xml, updatesXml(id, manifest.version, codebase));
  const policy = join(out, 'policy.json');
  writeFileSync(
    policy,
    `${JSON.stringify(
      {
        ExtensionSettings: { [id]: { installation_mode: 'force_installed', update_url: update.href } },
        AudioCaptureAllowedUrls: [`chrome-extension://${id}`],
        '3rdparty': { extensions: { [id]: { '//': 'Earshot settings: see docs/managed-policy.md' } } },
      },
      null,
      2,
    )}\n`,
  );
  return { id, version: manifest.version, crx, updatesXml: xml, policy };
}

if (process.argv[1] && basename(process.argv[1]).startsWith('pack.')) {
  const { values } = parseArgs({
    options: {
      browser: { type: 'string', default: 'chrome' },
      key: { type: 'string' },
      'update-url': { type: 'string' },
      'install-url': { type: 'string' },
      'gecko-id': { type: 'string' },
      portal: { type: 'string' },
      out: { type: 'string' },
      'new-key': { type: 'boolean', default: false },
      chrome: { type: 'string' },
    },
  });
  const usage = [
    'usage: npm run pack -- --key <org-key.pem> --update-url <https://…/updates.xml> [--portal <origin>] [--out dist/chrome] [--new-key] [--chrome <path>]',
    '       npm run pack -- --browser firefox --install-url <https://…/earshot/> --portal <origin> [--gecko-id <name@your-domain>] [--out dist/firefox]',
  ].join('\n');
  const run = async (): Promise<void> => {
    if (values.browser === 'firefox') {
      if (!values['install-url'] || (!values.portal && !values['gecko-id'])) throw new Error(usage);
      const result = await packFirefox({
        installUrl: values['install-url'],
        out: values.out ?? 'dist/firefox',
        ...(values.portal ? { portal: values.portal } : {}),
        ...(values['gecko-id'] ? { geckoId: values['gecko-id'] } : {}),
      });
      console.log(`pack: Earshot ${result.version} for Firefox, add-on id ${result.id}`);
      console.log(`  ${result.xpi}  (unsigned: sign it as unlisted for release Firefox, docs/admin-guide.md section 8)`);
      console.log(`  ${result.extension}  (web-ext sign --source-dir)\n  ${result.policy}  (the policy entries to merge; install_url ${result.installUrl})`);
      return;
    }
    if (values.browser !== 'chrome') throw new Error(`--browser ${values.browser}: chrome or firefox`);
    if (!values.key || !values['update-url']) throw new Error(usage);
    const result = pack({
      key: values.key,
      updateUrl: values['update-url'],
      out: values.out ?? 'dist/chrome',
      newKey: values['new-key'],
      ...(values.portal ? { portal: values.portal } : {}),
      ...(values.chrome ? { chrome: values.chrome } : {}),
    });
    console.log(`pack: Earshot ${result.version}, extension id ${result.id}`);
    console.log(`  ${result.crx}\n  ${result.updatesXml}  (serve both at the update URL's folder)\n  ${result.policy}  (the policy entries to merge)`);
  };
  run().catch((error: unknown) => {
    const message = (error as Error).message;
    console.error(message.startsWith('usage:') ? message : `pack: ${message}`);
    process.exit(message.startsWith('usage:') ? 2 : 1);
  });
}
