import type { Page } from 'playwright-core';
import { until } from './lab-client';

/** Signs in to the lab's demo portal as a seeded user (password lab-<extension>). */
export async function signIn(page: Page, portalUrl: string, extension: string): Promise<void> {
  await page.goto(`${portalUrl}/`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.fill('input[name="extension"]', extension);
  await page.fill('input[name="password"]', `lab-${extension}`);
  await page.click('.sign-in button[type="submit"]');
  await page.waitForSelector('.agents-table tbody tr.agent-row');
}

/**
 * Hovers the agent's row and clicks Earshot's icon with the real mouse (a
 * trusted click). The portal re-renders its rows every second and Earshot's
 * own panel lingers a few seconds after a session, so aim again until the
 * icon is what the mouse will hit. Returns when the click happened (ms epoch).
 */
export async function clickIcon(page: Page, extension: string): Promise<number> {
  // The portal pages its table (5 agents a page): filter to the agent, as a supervisor would.
  await page.fill('input[name="filter"]', extension);
  const icon = page.locator(`earshot-monitor-icon[data-extension="${extension}"]:not([hidden])`);
  const centre = await until(async () => {
    await page.hover(`tr[data-agent-id="${extension}"] td.agent-name`, { timeout: 1000 });
    const box = await icon.boundingBox({ timeout: 1000 });
    if (!box) return undefined;
    const point = [box.x + box.width / 2, box.y + box.height / 2] as const;
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.tagName === 'EARSHOT-MONITOR-ICON', point);
    return hit ? point : undefined;
  }, 20_000, `the icon of ${extension}`);
  const at = Date.now();
  await page.mouse.click(centre[0], centre[1]);
  return at;
}
