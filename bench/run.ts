// `npm run bench`: runs the benchmarks in real browsers and the lab, and
// writes docs/BENCHMARKS.md. Timing goals live here, never in unit tests.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { bundleSizes } from './bundles';
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
