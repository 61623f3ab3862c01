import { defineConfig } from 'vitest/config';

/**
 * End-to-end suites: the built extension in real Chromium (Playwright) and
 * Firefox ESR (puppeteer-core over WebDriver BiDi), against the lab on
 * loopback. One file at a time: browsers and the lab share two cores.
 */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    setupFiles: ['tests/e2e/support/stack-traces.ts'],
  },
});
