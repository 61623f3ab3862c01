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

/**
 * Public key that fixes the Chrome extension id of unpacked builds to
 * `lfflkhoalddonjjnoilhplmibgemjeal`, so policies (AudioCaptureAllowedUrls,
 * 3rdparty managed storage) and tests can name it. Store builds
 * (EARSHOT_STORE=1, set by `npm run zip`) leave it out: the store assigns the id.
 */
export const CHROME_DEV_KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoxCtrlqXCyCJdc505xHZUG7lU/NCuoaISbfnN1RmSnT439drgABVjqGYh+zWc+jtEbDw+wqI1pqMiMkH29+7x3BF6Lt7E49KwWaTact9GZCugknQmXvCrRWnH8pO4Nr4Odd1gvNA8mshFkiLIhhTrEsXSqQ37Nwh2l6GaY9wqorwE7zkeNf7AdB6RimEonvumahlC50digx2AQ4QnRJsEHNGb/HZLbh1cfp3mAHKRn13QtvB5keQlp0JeyzkM0Q58YzracDWHJp2YhJ3y5v87Zu2wv/PYI3m3HyaeRE17nDyU1zmtsF80424PU5IUBIEGVkczicNW6Ex07q15WSXNwIDAQAB';
export const CHROME_DEV_ID = 'lfflkhoalddonjjnoilhplmibgemjeal';
export const GECKO_ID = 'earshot@earshot.dev';

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

export default defineConfig({
  // EARSHOT_OUTPUT: another root for the dev and e2e builds (several checkouts' tests side by side).
  outDir: `${process.env.EARSHOT_OUTPUT ?? '.output'}${TEST_HOSTS.length > 0 ? '/e2e' : STORE ? '/store' : ''}`,
  zip: {
    // What a store reviewer needs to rebuild the package, and nothing else.
    excludeSources: ['lab/**', 'tests/**', 'bench/**', 'scripts/**', 'docs/**', '.ci/**', '.output/**', 'coverage/**'],
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
      permissions: chrome ? ['storage', 'scripting', 'offscreen'] : ['storage', 'scripting'],
      ...(chrome
        ? { optional_host_permissions: ['https://*/*', 'http://*/*'] }
        : { optional_permissions: ['https://*/*', 'http://*/*'] }),
      ...(chrome
        ? {
            storage: { managed_schema: 'managed_schema.json' },
            ...(TEST_HOSTS.length > 0 ? { host_permissions: TEST_HOSTS } : {}),
            ...(STORE ? {} : { key: CHROME_DEV_KEY }),
          }
        : {
            browser_specific_settings: {
              gecko: { id: GECKO_ID, strict_min_version: '128.0' },
            },
          }),
      action: { default_title: '__MSG_extName__' },
      // Keyboard shortcuts (chrome://extensions/shortcuts, about:addons → Manage shortcuts).
      commands: {
        'mode-listen': { suggested_key: { default: 'Alt+Shift+L' }, description: '__MSG_cmdListen__' },
        'mode-whisper': { suggested_key: { default: 'Alt+Shift+W' }, description: '__MSG_cmdWhisper__' },
        'mode-barge': { suggested_key: { default: 'Alt+Shift+J' }, description: '__MSG_cmdBarge__' },
        'hang-up': { suggested_key: { default: 'Alt+Shift+H' }, description: '__MSG_cmdHangUp__' },
      },
    };
  },
});
