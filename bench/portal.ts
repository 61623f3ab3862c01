// Content-script benchmark (issue 5): 2,000 agent rows, 200 re-rendered each
// second, in real Chromium, beside the same page without the extension.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROME_E2E_OUT, CHROMIUM_BASE_ARGS, launchChromium } from '../tests/e2e/support/browsers';
import { storeSettings } from '../tests/e2e/support/lab-client';
import { portalBenchPage } from './portal-page';
import { summarize, type Summary } from './stats';

export interface PortalFigures {
  rows: number;
  churnPerSecond: number;
  seconds: number;
  firstScan: Summary;
  update: Summary;
  /** Long tasks (> 50 ms) on the page during the measured seconds (after Earshot's first scan), with and without Earshot. */
  longTasksWith: number[];
  longTasksWithout: number[];
  /** Long tasks before that, from the page load (a fresh browser also starting the extension competes for the 2 cores). */
  startupLongTasksWith: number[];
  startupLongTasksWithout: number[];
  /** Long tasks during which an Earshot slice ran: the ones Earshot caused or lengthened. */
  longTasksWithEarshotWork: number[];
  scriptMsPerSecondWith: number;
  scriptMsPerSecondWithout: number;
  pageUpdateWithout: Summary;
  pageUpdateWith: Summary;
  contentScriptGzipBytes: number;
}

interface LongTask {
  start: number;
  duration: number;
}

interface PageNumbers {
  longTasks: LongTask[];
  /** When the measured seconds began (page clock). */
  windowStart: number;
  pageUpdateMs: number[];
  scriptMs: number;
}

/** Loads `url`, waits for `before`, then measures `seconds`: long tasks, the page's `pageUpdateMs`, script time (CDP). */
export async function measurePage(page: import('playwright-core').Page, url: string, seconds: number, before?: () => Promise<void>): Promise<PageNumbers> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url);
  await before?.();
  const metric = async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    return (metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0) * 1000;
  };
  const start = await metric();
  const windowStart = await page.evaluate(() => performance.now());
  await page.waitForTimeout(seconds * 1000);
  const scriptMs = (await metric()) - start;
  const numbers = await page.evaluate(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[]; pageUpdateMs: number[] };
    return { longTasks: w.longTasks, pageUpdateMs: w.pageUpdateMs };
  });
  return { ...numbers, scriptMs, windowStart };
}

export async function benchPortal(options: { rows?: number; churn?: number; seconds?: number } = {}): Promise<PortalFigures> {
  const rows = options.rows ?? 2000;
  const churn = options.churn ?? 200;
  const seconds = options.seconds ?? 10;
  const html = portalBenchPage(rows, churn);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // Without the extension.
    const plain = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_BASE_ARGS });
    const without = await measurePage(await plain.newPage(), `${origin}/`, seconds);
    await plain.close();

    // With Earshot, set up for this origin with the lab portal's adapter.
    const s = await launchChromium({ extensionDir: CHROME_E2E_OUT });
    const page = await s.context.newPage();
    await storeSettings(s.worker, { portal: { origin, adapter: 'earshot-lab' } });
    const withExt = await measurePage(page, `${origin}/`, seconds, async () => {
      await page.waitForFunction(() => performance.getEntriesByName('earshot:first-scan').length > 0, undefined, { timeout: 30_000 });
    });
    const entries = await page.evaluate(() =>
      performance.getEntriesByType('measure').map((e) => ({ name: e.name, start: e.startTime, duration: e.duration })),
    );
    const slices = entries.filter((e) => e.name === 'earshot:slice');
    const ours = withExt.longTasks.filter((t) => slices.some((e) => e.start >= t.start && e.start < t.start + t.duration));
    const firstScan = entries.filter((e) => e.name === 'earshot:first-scan').map((e) => e.duration);
    const updates = entries.filter((e) => e.name === 'earshot:slice').map((e) => e.duration);
    await s.close();

    const bundle = readFileSync(`${CHROME_E2E_OUT}/content-scripts/portal.js`);
    return {
      rows,
      churnPerSecond: churn,
      seconds,
      firstScan: summarize(firstScan),
      update: summarize(updates),
      longTasksWith: withExt.longTasks.filter((t) => t.start >= withExt.windowStart).map((t) => t.duration),
      longTasksWithout: without.longTasks.filter((t) => t.start >= without.windowStart).map((t) => t.duration),
      startupLongTasksWith: withExt.longTasks.filter((t) => t.start < withExt.windowStart).map((t) => t.duration),
      startupLongTasksWithout: without.longTasks.filter((t) => t.start < without.windowStart).map((t) => t.duration),
      longTasksWithEarshotWork: ours.map((t) => t.duration),
      scriptMsPerSecondWith: withExt.scriptMs / seconds,
      scriptMsPerSecondWithout: without.scriptMs / seconds,
      pageUpdateWith: summarize(withExt.pageUpdateMs),
      pageUpdateWithout: summarize(without.pageUpdateMs),
      contentScriptGzipBytes: gzipSync(bundle).length,
    };
  } finally {
    server.close();
  }
}
