import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** axe-core's browser bundle, evaluated in the page under test (DevTools evaluation is not bound by an extension page's CSP). */
export const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One violation as a test reports it: the rule, its impact, and where. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** What the page under test evaluates: axe's run over the document, violations only, as plain data. */
export const RUN_AXE = `(async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
})()`;

/** Findings as one line each, for a failure message. */
export function describeFindings(findings: readonly AxeFinding[]): string {
  return findings.map((f) => `${f.id} (${f.impact ?? 'n/a'}): ${f.help} at ${f.targets.join(', ')}`).join('\n');
}
