// `npm run pack -- --browser firefox`: the organization's own Firefox package,
// installed by policy (ExtensionSettings force_installed, install_url) from
// the organization's web server. Writes, into --out:
//   earshot-<version>.xpi              the add-on, unsigned: sign it as unlisted on
//                                      addons.mozilla.org for release Firefox
//                                      (docs/admin-guide.md, section 8);
//   extension/                         the same files unpacked (`web-ext sign --source-dir`);
//   policy.json                        the ExtensionSettings entry and the 3rdparty key.
// The package has the organization's own gecko id (Earshot's is the listed
// add-on's; AMO signs an id for one owner only), and with --portal the portal
// origin as a required host permission: Firefox grants the permissions of an
// MV2 manifest's `permissions` at install, so no supervisor clicks "Enable on
// this portal" (no Firefox policy grants an optional permission).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import JSZip from 'jszip';
import { GECKO_ID } from './extension-ids';
import { portalPattern } from './pack';

export interface FirefoxPackOptions {
  /** The organization's gecko id; `earshot@<portal host>` by default. */
  geckoId?: string;
  /**
   * Where Firefox downloads the package (the policy's install_url): the .xpi's
   * URL, or the folder serving --out when it ends with `/` (the versioned
   * file name is added: a new version is a new URL, which is what makes
   * Firefox install it at its next start).
   */
  installUrl: string;
  portal?: string;
  out: string;
  /** Build root (EARSHOT_OUTPUT); a temporary one by default. */
  output?: string;
}

export interface FirefoxPackResult {
  id: string;
  version: string;
  xpi: string;
  /** The unpacked package, for `web-ext sign --source-dir`. */
  extension: string;
  policy: string;
  /** The install_url written into policy.json. */
  installUrl: string;
}

/** What Firefox accepts as an add-on id: an e-mail-like name or a {GUID} (AMO also caps it at 80 characters). */
const GECKO_ID_FORMAT = /^(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|[a-z0-9-._]*@[a-z0-9-._]+)$/i;

/** The organization's gecko id: the one given, or `earshot@<portal host>`; never Earshot's own. */
export function orgGeckoId(given: string | undefined, portal: string | undefined): string {
  const id = given ?? (portal ? `earshot@${new URL(portal).hostname}` : undefined);
  if (!id) throw new Error('--browser firefox needs --portal or --gecko-id: the package needs an id of your organization');
  if (!GECKO_ID_FORMAT.test(id) || id.length > 80) throw new Error(`--gecko-id ${id}: not a Firefox add-on id; use name@your-domain (letters, digits, . - _) or a {GUID}`);
  if (id === GECKO_ID) throw new Error(`--gecko-id ${id} is the id of Earshot's own listed add-on; use one of your organization's, e.g. earshot@example.com`);
  return id;
}

/** Every file under `dir`, relative paths with `/`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => relative(dir, join(dir, path)).split('\\').join('/'))
    .sort();
}

export async function packFirefox(options: FirefoxPackOptions): Promise<FirefoxPackResult> {
  const hosts = options.portal ? portalPattern(options.portal) : '';
  const id = orgGeckoId(options.geckoId, options.portal);
  let install: URL;
  try {
    install = new URL(options.installUrl);
  } catch {
    throw new Error(`--install-url ${options.installUrl}: not a URL (where your web server serves the .xpi)`);
  }
  const output = options.output ?? mkdtempSync(join(tmpdir(), 'earshot-pack-firefox-'));
  execFileSync('npx', ['wxt', 'build', '-b', 'firefox'], {
    stdio: 'inherit',
    env: { ...process.env, EARSHOT_OUTPUT: output, EARSHOT_ORG_HOSTS: hosts, EARSHOT_GECKO_ID: id, EARSHOT_TEST_HOSTS: '', EARSHOT_UPDATE_URL: '' },
  });
  const built = join(output, 'org', 'firefox-mv2');
  const manifest = JSON.parse(readFileSync(join(built, 'manifest.json'), 'utf8')) as {
    version: string;
    permissions?: string[];
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  if (manifest.browser_specific_settings?.gecko?.id !== id) throw new Error(`the build's gecko id is ${manifest.browser_specific_settings?.gecko?.id}, not ${id}`);
  if (hosts && !manifest.permissions?.includes(hosts)) throw new Error(`the build does not require ${hosts}`);
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const extension = join(out, 'extension');
  rmSync(extension, { recursive: true, force: true });
  cpSync(built, extension, { recursive: true });
  const zip = new JSZip();
  for (const path of filesUnder(built)) zip.file(path, readFileSync(join(built, path)));
  const xpiName = `earshot-${manifest.version}.xpi`;
  const xpi = join(out, xpiName);
  writeFileSync(xpi, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  if (!options.output) rmSync(output, { recursive: true, force: true });
  const installUrl = install.pathname.endsWith('/') ? new URL(xpiName, install).href : install.href;
  const policy = join(out, 'policy.json');
  writeFileSync(
    policy,
    `${JSON.stringify(
      {
        policies: {
          ExtensionSettings: { [id]: { installation_mode: 'force_installed', install_url: installUrl } },
          // Earshot's settings (docs/managed-policy.md) go in this object.
          '3rdparty': { Extensions: { [id]: {} } },
        },
      },
      null,
      2,
    )}\n`,
  );
  return { id, version: manifest.version, xpi, extension, policy, installUrl };
}
