// Interim demo until the lab lands: builds both targets and says how to load them.
import { execFileSync } from 'node:child_process';

execFileSync('npx', ['wxt', 'build'], { stdio: 'inherit' });
execFileSync('npx', ['wxt', 'build', '-b', 'firefox'], { stdio: 'inherit' });
console.log(`
Earshot is built.
  Chrome/Chromium: chrome://extensions → Developer mode → Load unpacked → .output/chrome-mv3
  Firefox:         about:debugging → This Firefox → Load Temporary Add-on → .output/firefox-mv2/manifest.json
`);
