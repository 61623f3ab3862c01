// `npm run bench`: runs the benchmarks in real browsers and the lab, and
// writes docs/BENCHMARKS.md. Timing goals live here, never in unit tests.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { bundleSizes } from './bundles';
import { benchMixing } from './lab-mixing';
import { benchMonitor } from './monitor';
import { benchPortal } from './portal';
import { fmt, summaryText } from './stats';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const version = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
};

function build(): void {
  execFileSync('npx', ['wxt', 'build'], { stdio: 'inherit' });
  execFileSync('npx', ['wxt', 'build', '-b', 'firefox'], { stdio: 'inherit' });
  execFileSync('npx', ['wxt', 'build'], { stdio: 'inherit', env: { ...process.env, EARSHOT_TEST_HOSTS: 'http://127.0.0.1/*' } });
}

async function main(): Promise<void> {
  if (process.env.EARSHOT_BENCH_SKIP_BUILD !== '1') build();
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string>; dependencies: Record<string, string> };
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);

  out('# Earshot benchmarks');
  out();
  out(`Written by \`npm run bench\` on ${new Date().toISOString()}. Figures are medians with their spread over repeated runs in one session.`);
  out();
  out('## Machine and versions');
  out();
  out(`- ${osType()} ${release()}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  out(`- Node ${process.version}; ${version('/usr/bin/chromium', ['--version'])}; ${version('/usr/bin/firefox-esr', ['--version'])}`);
  out(`- sip.js ${pkg.dependencies['sip.js']}, preact ${pkg.dependencies.preact}, wxt ${pkg.devDependencies.wxt}, @roamhq/wrtc ${pkg.devDependencies['@roamhq/wrtc']}`);
  out();

  console.log('bench: portal content script…');
  const runs = Number(process.env.EARSHOT_BENCH_RUNS ?? 3);
  const portal = [];
  for (let i = 0; i < runs; i++) portal.push(await benchPortal({ seconds: 10 }));
  const first = portal[0];
  if (first) {
    out('## Portal content script (2,000 agent rows, 200 re-rendered each second, real Chromium)');
    out();
    out(`${runs} runs of ${first.seconds} s each, on the same page with and without Earshot.`);
    out();
    out('| run | first scan (wall, sliced) | work per slice | long tasks with Earshot work | long tasks on the page with / without Earshot | script ms per second with / without | page update with / without (median) |');
    out('|---|---|---|---|---|---|---|');
    portal.forEach((p, i) =>
      out(
        `| ${i + 1} | ${fmt(p.firstScan.median, 0)} ms | ${summaryText(p.update)} | ${p.longTasksWithEarshotWork.length} | ${p.longTasksWith.length} / ${p.longTasksWithout.length} | ${fmt(p.scriptMsPerSecondWith, 1)} / ${fmt(p.scriptMsPerSecondWithout, 1)} | ${fmt(p.pageUpdateWith.median, 1)} / ${fmt(p.pageUpdateWithout.median, 1)} ms |`,
      ),
    );
    out();
    out(`Content-script bundle: ${kb(first.contentScriptGzipBytes)} gzipped.`);
    out();
  }

  console.log('bench: lab mixing…');
  out('## The lab: mixing cost (10 ms ticks, 2 cores)');
  out();
  out('Each monitor session is a real WebRTC leg in Barge-In (mixed into both parties); the leg clients run in the same process.');
  out();
  out('| calls | monitor legs | tick mean | tick p95 | share of one core |');
  out('|---|---|---|---|---|');
  const mixing = [];
  for (const [calls, legs] of [[8, 0], [8, 1], [8, 4], [8, 8], [32, 0], [64, 0]] as const) {
    const run = await benchMixing(calls, legs);
    mixing.push(run);
    out(`| ${calls} | ${legs} | ${fmt(run.tickMeanUs / 1000)} ms | ${fmt(run.tickP95Us / 1000)} ms | ${fmt(run.tickMeanUs / 100, 1)} % |`);
  }
  const base = mixing.find((m) => m.calls === 8 && m.legs === 0);
  const eight = mixing.find((m) => m.calls === 8 && m.legs === 8);
  const big = mixing.find((m) => m.calls === 64 && m.legs === 0);
  if (base && eight && big) {
    const perLeg = (eight.tickMeanUs - base.tickMeanUs) / 8;
    const perCall = (big.tickMeanUs - base.tickMeanUs) / 56;
    out();
    out(`Per active monitor session: ${fmt(perLeg / 1000, 3)} ms per tick (${fmt(perLeg / 100, 2)} % of a core). Per simulated call: ${fmt(perCall / 1000, 4)} ms per tick. At half a core (5 ms per tick) the mixer holds about ${Math.floor((5000 - base.tickMeanUs) / Math.max(perCall, 1) + 8)} simultaneous calls, or ${Math.floor((5000 - base.tickMeanUs) / Math.max(perLeg, 1))} monitor sessions.`);
  }
  out();

  console.log('bench: click to audio, mode switches…');
  const monitor = await benchMonitor();
  out('## Monitoring in real Chromium against the lab');
  out();
  out('Click on the speaker icon → first audio heard (the engine\'s level, refreshed every 250 ms, so ±250 ms). Cold: the first click in a freshly started browser; warm: the following ones.');
  out();
  out(`- Cold: ${monitor.coldClickToAudio.map((v) => `${v} ms`).join(', ')}`);
  out(`- Warm: ${summaryText(monitor.warmClickToAudio)}`);
  out(`- Mode click → the lab switching the mix, SIP INFO: ${summaryText(monitor.modeSwitch.info)}`);
  out(`- Mode click → the lab switching the mix, RFC 4733 (detected in the audio): ${summaryText(monitor.modeSwitch.rfc4733)}`);
  out('- Not measured yet: the plain sip.js web page for comparison, idle memory and CPU with 50 watched agents.');
  out();

  out('## Bundle sizes (gzipped)');
  out();
  for (const target of ['chrome-mv3', 'firefox-mv2']) {
    out(`### ${target}`);
    out();
    out('| file | raw | gzip |');
    out('|---|---|---|');
    for (const b of bundleSizes(`.output/${target}`)) out(`| ${b.file} | ${kb(b.bytes)} | ${kb(b.gzip)} |`);
    out();
  }

  mkdirSync('docs', { recursive: true });
  writeFileSync('docs/BENCHMARKS.md', lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

await main();
