import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

/**
 * The content script runs on every load of the portal, so it carries no
 * webextension-polyfill (2.8 KB gzipped): it only calls runtime.connect and
 * runtime.id (WXT's content-script context), and messaging goes through
 * @webext-core/messaging, which uses the `chrome` namespace itself. Both
 * browsers have those natively with promises (Chrome MV3, Firefox `browser`).
 * Every other entrypoint keeps the polyfill.
 */
// @wxt-dev/browser is what `wxt/browser` is without the polyfill module (pinned in devDependencies).
const NATIVE_BROWSER = createRequire(import.meta.url).resolve('@wxt-dev/browser');
/** createShadowRootUi's autoMount, which the portal never uses, without its element-waiting library. */
const NO_WAIT_ELEMENT = fileURLToPath(new URL('./scripts/stubs/wait-element.ts', import.meta.url));

import { CHROME_DEV_KEY, GECKO_ID } from './scripts/extension-ids';
import { SHORTCUTS, type ShortcutCommand } from './lib/monitor/shortcuts';

/** The manifest's description of each keyboard command (public/_locales). */
const COMMAND_MESSAGES: Record<ShortcutCommand, string> = {
  'mode-listen': '__MSG_cmdListen__',
  'mode-whisper': '__MSG_cmdWhisper__',
  'mode-barge': '__MSG_cmdBarge__',
  'hang-up': '__MSG_cmdHangUp__',
};

/**
 * Test seam, Chrome e2e only: headless Chromium cannot answer the
 * permissions.request prompt of "Enable on this portal", so the e2e build
 * (EARSHOT_TEST_HOSTS=http://127.0.0.1/*, written to .output/e2e) declares
 * the lab's origin as granted. Release builds never set it; a test checks
 * that they have no host permissions.
 */
const TEST_HOSTS = process.env.EARSHOT_TEST_HOSTS?.split(',').filter(Boolean) ?? [];

/** Store packages (`npm run zip`): no manifest `key`, built apart from the dev builds tests load. */
const STORE = process.env.EARSHOT_STORE === '1';

/**
 * An organization's own Chrome package (`npm run pack`, scripts/pack.ts):
 * EARSHOT_ORG_HOSTS, the portal origin(s) as match patterns, become required
 * host permissions (a force-installed extension gets them without a prompt, so
 * no supervisor clicks "Enable on this portal"), and EARSHOT_UPDATE_URL is
 * where Chrome looks for updates. Built into `<output>/org`, without the dev key
 * (the organization's own key fixes the id).
 */
const ORG_HOSTS = process.env.EARSHOT_ORG_HOSTS?.split(',').filter(Boolean) ?? [];
const UPDATE_URL = process.env.EARSHOT_UPDATE_URL;
/**
 * The organization's own Firefox package (`npm run pack -- --browser firefox`,
 * scripts/pack-firefox.ts): its own gecko id (Earshot's is the listed add-on's
 * on AMO; an unlisted signature needs an id of the organization's), and the
 * portal origin(s) of EARSHOT_ORG_HOSTS in MV2 `permissions`, where Firefox
 * grants host permissions at install.
 */
const ORG_GECKO_ID = process.env.EARSHOT_GECKO_ID || undefined;
const ORG = ORG_HOSTS.length > 0 || Boolean(UPDATE_URL) || Boolean(ORG_GECKO_ID);

export default defineConfig({
  // EARSHOT_OUTPUT: another root for the dev and e2e builds (several checkouts' tests side by side).
  outDir: `${process.env.EARSHOT_OUTPUT ?? '.output'}${TEST_HOSTS.length > 0 ? '/e2e' : ORG ? '/org' : STORE ? '/store' : ''}`,
  zip: {
    // What a store reviewer needs to rebuild the package, and nothing else (scripts/extension-ids.ts and
    // scripts/stubs are part of the build).
    excludeSources: ['lab/**', 'tests/**', 'bench/**', 'scripts/demo.ts', 'scripts/pack.ts', 'scripts/pack-firefox.ts', 'scripts/policies.ts', 'dist/**', 'docs/**', '.ci/**', '.output/**', 'coverage/**'],
  },
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact()] }),
  hooks: {
    'vite:build:extendConfig': (entrypoints, config) => {
      if (!entrypoints.every((e) => e.type === 'content-script')) return;
      const aliases = [
        { find: /^wxt\/browser$/, replacement: NATIVE_BROWSER },
        { find: /^@1natsu\/wait-element(\/detectors)?$/, replacement: NO_WAIT_ELEMENT },
      ];
      const current = config.resolve?.alias;
      config.resolve = {
        ...config.resolve,
        alias: Array.isArray(current)
          ? [...aliases, ...current]
          : [...aliases, ...Object.entries(current ?? {}).map(([find, replacement]) => ({ find, replacement: String(replacement) }))],
      };
    },
  },
  manifest: ({ browser }) => {
    const chrome = browser !== 'firefox';
    return {
      name: '__MSG_extName__',
      description: '__MSG_extDescription__',
      default_locale: 'en',
      permissions: chrome ? ['storage', 'scripting', 'offscreen', 'alarms'] : ['storage', 'scripting', ...ORG_HOSTS],
      ...(chrome
        ? { optional_host_permissions: ['https://*/*', 'http://*/*'] }
        : { optional_permissions: ['https://*/*', 'http://*/*'] }),
      ...(chrome
        ? {
            storage: { managed_schema: 'managed_schema.json' },
            ...(TEST_HOSTS.length + ORG_HOSTS.length > 0 ? { host_permissions: [...TEST_HOSTS, ...ORG_HOSTS] } : {}),
            ...(UPDATE_URL ? { update_url: UPDATE_URL } : {}),
            ...(STORE || ORG ? {} : { key: CHROME_DEV_KEY }),
          }
        : {
            browser_specific_settings: {
              gecko: {
                id: ORG_GECKO_ID ?? GECKO_ID,
                // 140: the first Firefox (and ESR) with the built-in data consent below.
                strict_min_version: '140.0',
                // What leaves the browser, to the organization's own PBX (and audit endpoint when the
                // policy sets one), never to Earshot's developers: SIP credentials, and the audio of
                // the monitored calls with who monitored whom. docs/privacy.md says why this is
                // declared although nothing reaches a server of ours.
                data_collection_permissions: { required: ['authenticationInfo', 'personalCommunications'] },
              },
            },
          }),
      action: { default_title: '__MSG_extName__' },
      // Keyboard shortcuts (chrome://extensions/shortcuts, about:addons → Manage shortcuts).
      commands: Object.fromEntries(
        Object.entries(SHORTCUTS).map(([command, { key }]) => [
          command,
          { suggested_key: { default: key }, description: COMMAND_MESSAGES[command as ShortcutCommand] },
        ]),
      ),
    };
  },
});
