import { execFileSync } from 'node:child_process';

/** Builds both extension targets once for the whole e2e run. */
export default function setup(): void {
  if (process.env.EARSHOT_E2E_SKIP_BUILD === '1') return;
  execFileSync('npx', ['wxt', 'build'], { stdio: 'inherit' });
  execFileSync('npx', ['wxt', 'build', '-b', 'firefox'], { stdio: 'inherit' });
  // Chrome build with the lab's origin granted (see TEST_HOSTS in wxt.config.ts).
  execFileSync('npx', ['wxt', 'build'], { stdio: 'inherit', env: { ...process.env, EARSHOT_TEST_HOSTS: 'http://127.0.0.1/*' } });
}
