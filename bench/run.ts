// `npm run bench`: runs the benchmarks in real browsers and the lab, and
// writes docs/BENCHMARKS.md. Timing goals live here, never in unit tests.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASTERISK_PKG } from '../tests/e2e/support/asterisk';
import { asteriskSection, benchAsterisk } from './asterisk';
import { bundleSizes } from './bundles';
import { benchIdle, type IdleContext } from './idle';
import { benchMixing } from './lab-mixing';
import { benchMonitor, type ClickToAudio } from './monitor';
import { benchPortal } from './portal';
import { benchPortalStyles, portalStylesSection } from './portal-styles';
import { benchPortsRuns, portsSection } from './ports';
import { fmt, summarize, summaryText } from './stats';

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
    out(`${runs} runs of ${first.seconds} s each, on the same page with and without Earshot, measured after Earshot's first scan (which the long-task attribution covers too: a long task "with Earshot work" is one during which an Earshot slice ran). Before that window the freshly started browser is also starting the extension, so the page's own updates run long more often; those are counted apart.`);
    out();
    out('| run | first scan (wall, sliced) | work per slice | long tasks with Earshot work (whole run) | page long tasks in the measured seconds, with / without Earshot | page long tasks before (load, browser start-up), with / without | script ms per second with / without | page update with / without (median) |');
    out('|---|---|---|---|---|---|---|---|');
    portal.forEach((p, i) =>
      out(
        `| ${i + 1} | ${fmt(p.firstScan.median, 0)} ms | ${summaryText(p.update)} | ${p.longTasksWithEarshotWork.length} | ${p.longTasksWith.length} / ${p.longTasksWithout.length} | ${p.startupLongTasksWith.length} / ${p.startupLongTasksWithout.length} | ${fmt(p.scriptMsPerSecondWith, 1)} / ${fmt(p.scriptMsPerSecondWithout, 1)} | ${fmt(p.pageUpdateWith.median, 1)} / ${fmt(p.pageUpdateWithout.median, 1)} ms |`,
      ),
    );
    out();
    out(`Content-script bundle: ${kb(first.contentScriptGzipBytes)} gzipped.`);
    out();
  }

  // The real portals' pages (FusionPBX-style wholesale, NetSapiens-style incremental): also written alone by `tsx bench/portal-styles.ts`.
  console.log('bench: portal content script on the real portals\' pages…');
  for (const line of portalStylesSection(await benchPortalStyles({ runs, seconds: 15 }), 15)) out(line);

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
  const toAudio = (rs: ClickToAudio[]) => summarize(rs.map((r) => r.toAudio));
  const toInvite = (rs: ClickToAudio[]) => summarize(rs.map((r) => r.toInvite));
  const list = (rs: ClickToAudio[], key: keyof ClickToAudio) => rs.map((r) => `${r[key]}`).join(', ');
  out('## Click to audio and mode switches (real Chromium, the lab, ChanSpy profile)');
  out();
  out('Timed from the real mouse click (on Earshot\'s icon in the portal, or on the Listen button of a plain sip.js page that registers as another supervisor and dials the same code) to the lab receiving the INVITE and to the first audio heard (RMS ≥ 0.005, watched every 20 ms in both). Cold: the first click in a freshly started browser (extension registered, no call yet); warm: the following ones, alternating Earshot and the plain page.');
  out();
  out('| | Earshot | plain sip.js page |');
  out('|---|---|---|');
  out(`| cold, click → INVITE (ms, each browser) | ${list(monitor.earshotCold, 'toInvite')} | ${list(monitor.plainCold, 'toInvite')} |`);
  out(`| cold, click → audio (ms, each browser) | ${list(monitor.earshotCold, 'toAudio')} | ${list(monitor.plainCold, 'toAudio')} |`);
  out(`| warm, click → INVITE | ${summaryText(toInvite(monitor.earshotWarm))} | ${summaryText(toInvite(monitor.plainWarm))} |`);
  out(`| warm, click → audio | ${summaryText(toAudio(monitor.earshotWarm))} | ${summaryText(toAudio(monitor.plainWarm))} |`);
  out();
  const ratios = summarize(monitor.warmRatios);
  out(`Warm ratio Earshot / plain page (median of each browser session's medians): ${fmt(ratios.median)} (min ${fmt(ratios.min)}, max ${fmt(ratios.max)}, ${ratios.n} sessions).`);
  out();
  out('Mode click in the side panel (real mouse) → the lab switching the mix:');
  out();
  for (const method of ['info', 'rfc4733'] as const) {
    const label = method === 'info' ? 'SIP INFO' : 'RFC 4733 (detected in the audio by the lab)';
    out(`- ${label}: ${summaryText(monitor.modeSwitch[method])}; clicks the lab never acted on: ${monitor.modeSwitchMissed[method]}`);
  }
  out();

  // The real Asterisk 22 (../shared/pbx/asterisk): its own section, also written alone by `tsx bench/asterisk.ts`.
  if (existsSync(join(ASTERISK_PKG, 'start.sh'))) {
    console.log('bench: the real Asterisk 22…');
    for (const line of asteriskSection(await benchAsterisk())) out(line);
  } else {
    out('## Real Asterisk 22');
    out();
    out(`Not measured: no Asterisk package at ${ASTERISK_PKG}.`);
    out();
  }

  console.log('bench: idle with 50 watched agents…');
  const idleRuns = [];
  for (let i = 0; i < Number(process.env.EARSHOT_BENCH_IDLE_RUNS ?? 2); i++) idleRuns.push(await benchIdle({ seconds: 60 }));
  const idle = idleRuns[0];
  if (idle) {
    out(`## Idle: registered, ${idle.watched} agents watched on an open portal page, no session (real Chromium, the lab)`);
    out();
    out(`${idleRuns.length} runs. CPU from V8 CPU profiles over ${idle.seconds} s (the content script: only frames of Earshot's scripts); JS heap at the end of that minute. Then, over another ${idle.seconds} s, every timer callback (setTimeout, setInterval, requestAnimationFrame) that ran in an Earshot context, caught with CDP instrumentation breakpoints. The content script's heap is the portal page's (its isolated world shares the page's V8 heap): the page itself is a static table.`);
    out();
    out('| context | CPU per minute (each run) | share of one core | JS heap used / total (each run) |');
    out('|---|---|---|---|');
    for (const [index, context] of idle.contexts.entries()) {
      const each = idleRuns.map((r) => r.contexts[index]).filter((c): c is IdleContext => c !== undefined);
      out(`| ${context.name} | ${each.map((c) => `${fmt((c.cpuMs * 60) / idle.seconds, 1)} ms`).join(', ')} | ${each.map((c) => `${fmt((c.cpuMs / (idle.seconds * 1000)) * 100, 3)} %`).join(', ')} | ${each.map((c) => `${fmt(c.heapUsedMB, 1)} / ${fmt(c.heapTotalMB, 1)} MB`).join(', ')} |`);
    }
    out();
    const timers = idleRuns.flatMap((r) => r.timers);
    const tooOften = timers.filter((t) => t.minIntervalMs < 20_000);
    out(`Timer callbacks in Earshot contexts over ${idle.seconds} s (all runs): ${timers.reduce((n, t) => n + t.fires, 0)}; callbacks firing more often than once per 20 s: ${tooOften.length === 0 ? 'none' : tooOften.map((t) => `${t.context} ${t.location} every ${t.minIntervalMs} ms`).join('; ')}.`);
    out();
    out('| run | context | callback (bundle:line:column) | fires | shortest interval |');
    out('|---|---|---|---|---|');
    idleRuns.forEach((r, i) => {
      for (const t of r.timers) out(`| ${i + 1} | ${t.context} | ${t.location} | ${t.fires} | ${Number.isFinite(t.minIntervalMs) ? `${(t.minIntervalMs / 1000).toFixed(1)} s` : '–'} |`);
    });
    out();
  }

  console.log('bench: ports and storage during a live session…');
  // EARSHOT_BENCH_PORTS_BASE: a base build's e2e Chrome dir, measured alongside for a before/after.
  const portsBase = process.env.EARSHOT_BENCH_PORTS_BASE;
  for (const line of portsSection(await benchPortsRuns({ seconds: 30, ...(portsBase ? { baseDir: portsBase, baseLabel: process.env.EARSHOT_BENCH_PORTS_BASE_LABEL ?? portsBase } : {}) }))) out(line);

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
