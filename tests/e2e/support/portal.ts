import type { CDPSession, Page } from 'playwright-core';
import { until } from './lab-client';
import type { PageDriver } from './portal-styles';

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

/** The closed shadow root of Earshot's in-page panel, as a DevTools node id (page scripts and Playwright selectors cannot reach it). */
async function inPagePanelRoot(cdp: CDPSession): Promise<number> {
  const { root } = (await cdp.send('DOM.getDocument', { depth: 0 })) as { root: { nodeId: number } };
  const { nodeId: host } = (await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'earshot-audio-monitoring' })) as { nodeId: number };
  if (!host) throw new Error('no in-page panel on the page');
  const { node } = (await cdp.send('DOM.describeNode', { nodeId: host, depth: 1, pierce: true })) as { node: { shadowRoots?: { backendNodeId: number }[] } };
  const shadow = node.shadowRoots?.[0];
  if (!shadow) throw new Error('no shadow root on the in-page panel');
  const { nodeIds } = (await cdp.send('DOM.pushNodesByBackendIdsToFrontend', { backendNodeIds: [shadow.backendNodeId] })) as { nodeIds: number[] };
  return nodeIds[0] ?? 0;
}

/** Clicks a button inside Earshot's in-page panel with the real mouse; the DevTools protocol finds where. */
export async function clickInPagePanel(page: Page, selector: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodeId } = (await cdp.send('DOM.querySelector', { nodeId: await inPagePanelRoot(cdp), selector })) as { nodeId: number };
    if (!nodeId) throw new Error(`nothing matches ${selector} in the in-page panel`);
    // As a user would: scroll the panel to the button first (the panel scrolls when its content is taller).
    await cdp.send('DOM.scrollIntoViewIfNeeded', { nodeId });
    const { model } = (await cdp.send('DOM.getBoxModel', { nodeId })) as { model: { content: number[] } };
    const [x1 = 0, y1 = 0, , , x3 = 0, y3 = 0] = model.content;
    await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
  } finally {
    await cdp.detach();
  }
}

/** The text of the element matching `selector` in Earshot's in-page panel ('' when nothing matches). */
export async function inPagePanelText(page: Page, selector: string): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodeId } = (await cdp.send('DOM.querySelector', { nodeId: await inPagePanelRoot(cdp), selector })) as { nodeId: number };
    if (!nodeId) return '';
    const { outerHTML } = (await cdp.send('DOM.getOuterHTML', { nodeId })) as { outerHTML: string };
    return outerHTML.replace(/<[^>]*>/g, '').trim();
  } finally {
    await cdp.detach();
  }
}

/**
 * Evaluates `expression` in the extension's content-script world of the page
 * (Chromium: the isolated world named for the extension, which the DevTools
 * protocol lists with auxData.type 'isolated' and the extension's origin),
 * awaiting a promise, and returns the value. Exactly what Earshot's content
 * script, or anything running in its world, could read.
 */
export async function evaluateInContentScript<T>(page: Page, extensionId: string, expression: string): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const contexts: { id: number; origin: string; auxData?: { type?: string; frameId?: string; isDefault?: boolean } }[] = [];
    cdp.on('Runtime.executionContextCreated', (event: { context: (typeof contexts)[number] }) => contexts.push(event.context));
    await cdp.send('Runtime.enable');
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
    const world = await until(
      async () => contexts.find((c) => c.auxData?.type === 'isolated' && c.auxData.frameId === frameTree.frame.id && c.origin === `chrome-extension://${extensionId}`),
      5000,
      "the extension's content-script world",
    );
    const result = (await cdp.send('Runtime.evaluate', { contextId: world.id, expression, awaitPromise: true, returnByValue: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (result.exceptionDetails) throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
    return result.result.value;
  } finally {
    await cdp.detach();
  }
}

/** A Playwright page as the portal stories drive it (support/portal-story.ts). */
export function playwrightPageDriver(page: Page): PageDriver {
  return {
    goto: async (url) => void (await page.goto(url)),
    type: (selector, text) => page.fill(selector, text),
    waitFor: async (selector, timeout = 15_000) => void (await page.waitForSelector(selector, { timeout })),
    hover: (selector) => page.hover(selector, { timeout: 2000 }),
    mouseClick: (x, y) => page.mouse.click(x, y),
    press: (key) => page.keyboard.press(key),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    url: () => page.url(),
  };
}
