import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLab, type Lab, type LabOptions } from '../../../lab/index';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from './browsers';
import { toneWav } from './lab-client';

export interface ChromiumOnLab {
  lab: Lab;
  s: ChromiumSession;
  /** Earshot's side panel page, open as a tab. */
  panel: Page;
  /** A blank tab for the portal. */
  portal: Page;
  close(): Promise<void>;
}

/**
 * A lab on free ports and real Chromium with the e2e build loaded, the
 * supervisor's "voice" a 900 Hz tone, the side panel open and a tab for the
 * portal. Earshot's settings are the caller's to store; `labOptions` set the
 * lab's PBX (its ports are always free ones); `opts.display` an X display for a
 * real window (support/display.ts).
 */
export async function chromiumOnLab(tag: string, labOptions: LabOptions = {}, opts: { display?: string } = {}): Promise<ChromiumOnLab> {
  const lab = await startLab({ ...labOptions, sipPort: 0, httpPort: 0, quiet: true });
  const dir = mkdtempSync(join(tmpdir(), `earshot-e2e-${tag}-`));
  const s = await launchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: toneWav(dir, 900), display: opts.display });
  const panel = await s.context.newPage();
  await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
  const portal = await s.context.newPage();
  return {
    lab,
    s,
    panel,
    portal,
    async close() {
      await s.close();
      await lab.close();
    },
  };
}
