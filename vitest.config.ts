import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing';

/**
 * Three projects, fastest first (`npm test` runs all of them):
 * - unit: the extension's code in happy-dom with WXT's fakes (fake browser
 *   APIs, fake sip.js transports: see each file's header);
 * - lab: the PBX simulator's pure logic (DSP, DTMF detection, SDP) in Node;
 * - integration: the lab over real sockets and real WebRTC media in Node
 *   (@roamhq/wrtc): slower, so `npm run test:unit` leaves it out.
 * The browser suites are vitest.e2e.config.ts.
 */
const INTEGRATION = ['lab/test/lab-sip.test.ts', 'lab/test/corpus.test.ts', 'lab/test/media-leg.test.ts', 'lab/test/media-hub.test.ts'];

export default defineConfig({
  test: {
    restoreMocks: true,
    projects: [
      {
        plugins: [WxtVitest()],
        test: { name: 'unit', include: ['tests/unit/**/*.test.{ts,tsx}'], environment: 'happy-dom', restoreMocks: true, setupFiles: ['tests/unit/support/i18n-setup.ts'] },
      },
      {
        test: { name: 'lab', include: ['lab/**/*.test.ts'], exclude: INTEGRATION, environment: 'node', restoreMocks: true },
      },
      {
        test: { name: 'integration', include: INTEGRATION, environment: 'node', restoreMocks: true },
      },
    ],
  },
});
