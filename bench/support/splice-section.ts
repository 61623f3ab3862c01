import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Puts a section into docs/BENCHMARKS.md in place of its previous version
 * (the lines from `heading` to the next `## `); when new, before the first
 * heading of `before` found (else at the end). Nothing else changes, byte
 * for byte: a bench run alone (`npx tsx bench/<part>.ts`) updates its part.
 */
export function spliceSection(file: string, heading: string, section: string[], before: readonly string[] = ['## Idle', '## Bundle sizes']): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Earshot benchmarks\n\n';
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  let next: string[];
  if (start >= 0) {
    const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
    next = [...lines.slice(0, start), ...section, ...(end >= 0 ? lines.slice(end) : [])];
  } else {
    const at = lines.findIndex((l) => before.some((b) => l.startsWith(b)));
    next = at >= 0 ? [...lines.slice(0, at), ...section, ...lines.slice(at)] : [...lines, ...section];
  }
  // split/join keeps the rest of the file byte for byte (run.ts ends it with a blank line).
  writeFileSync(file, next.join('\n'));
}
