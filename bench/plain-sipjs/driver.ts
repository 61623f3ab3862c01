// Drives the plain sip.js page (page.ts) from Playwright: the same calls for every bench that
// sets Earshot beside it.
import type { Page } from 'playwright-core';
import { until } from '../../tests/e2e/support/lab-client';

/** What page.ts puts on the page's global object. */
export type PlainApi = { plainSip: { state: { registered: boolean; heardAt?: number; error?: string }; register(c: object): Promise<void>; hangUp(): Promise<void> } };

/** Clicks the page's Dial button with the real mouse; resolves with the click's time and when the page first heard audio. */
export async function dialAndHear(page: Page): Promise<{ at: number; heardAt: number }> {
  const box = await page.locator('#dial').boundingBox();
  if (!box) throw new Error('the plain page has no dial button');
  const at = Date.now();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const heardAt = await until(async () => {
    const state = await page.evaluate(() => (globalThis as unknown as PlainApi).plainSip.state);
    if (state.error) throw new Error(`plain sip.js page: ${state.error}`);
    return state.heardAt !== undefined && state.heardAt > at ? state.heardAt : undefined;
  }, 20_000, 'the plain page hearing the call');
  return { at, heardAt };
}
