/**
 * The panels' text goes through the browser's i18n (components/i18n.ts):
 * - every locale in public/_locales has exactly the English keys, with the
 *   same placeholders, and no unescaped `$`;
 * - every key the code names exists in English, and every English key is used;
 * - components keep no user-visible literal (the heuristic below);
 * - the side panel renders in French from the French file.
 *
 * The literal heuristic, over components/ and the entrypoints' .tsx (parsed
 * with the TypeScript compiler):
 * - JSX text must be whitespace or one of ALLOWED_JSX_TEXT (the "×" glyph of
 *   close buttons, whose accessible name is a message);
 * - a user-visible attribute (aria-label, title, placeholder, label, hint,
 *   emptyLabel, aria-valuetext, alt) given as a plain string must be an
 *   example value (no capital letter, no space: "wss://pbx.example.com:8089/ws", "2001");
 * - in components/, any other string literal or template that reads like
 *   prose (a capital letter then a space, or words ending in ".", "…" or
 *   ":") fails (the entrypoints' other strings are console lines), except
 *   ALLOWED_STRINGS: the PBX directory's scope names, which are data matched
 *   against the portal, not UI text.
 * Field labels and messages built in lib/ (lib/settings/schema, lib/phone,
 * lib/monitor) are outside this pass (docs/translating.md lists them).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cleanup, render, screen } from '@testing-library/preact';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { plural, setMessageSource, t } from '@/components/i18n';
import { MonitorPanel } from '@/components/monitor';
import type { SendCommand } from '@/lib/messaging/commands';
import type { EarshotState } from '@/lib/state/snapshot';
import en from '../../public/_locales/en/messages.json';
import { getMessageFromFile, type MessagesFile } from './support/messages-file';

const ROOT = join(__dirname, '../..');
const LOCALES = join(ROOT, 'public/_locales');
const ALLOWED_JSX_TEXT = new Set(['×']);
const ALLOWED_STRINGS = new Set(['Office Manager', 'Basic User']);
const USER_ATTRIBUTES = new Set(['aria-label', 'title', 'placeholder', 'label', 'hint', 'emptyLabel', 'aria-valuetext', 'alt']);

const english = en as MessagesFile;

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

const locale = (lang: string) => JSON.parse(readFileSync(join(LOCALES, lang, 'messages.json'), 'utf8')) as MessagesFile;
const languages = readdirSync(LOCALES).filter((name) => statSync(join(LOCALES, name)).isDirectory());

/** Placeholder names and contents of an entry, and the `$NAME$` it uses. */
function placeholders(entry: MessagesFile[string]) {
  const declared = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]));
  const used = [...entry.message.replace(/\$\$/g, '').matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase());
  return { declared, used };
}

const SOURCES = [...files(join(ROOT, 'components'), /\.tsx?$/), ...files(join(ROOT, 'entrypoints'), /\.tsx?$/)];
const parse = (path: string) =>
  ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

describe('locales', () => {
  it('include English and French', () => {
    expect(languages).toEqual(expect.arrayContaining(['en', 'fr']));
  });

  it.each(languages.filter((lang) => lang !== 'en'))('%s has exactly the English keys and placeholders', (lang) => {
    const other = locale(lang);
    expect(Object.keys(other).sort()).toEqual(Object.keys(english).sort());
    for (const [key, entry] of Object.entries(english)) {
      const translated = other[key]!;
      expect(translated.message.trim(), `${lang} ${key}`).not.toBe('');
      expect(placeholders(translated).declared, `${lang} ${key}`).toEqual(placeholders(entry).declared);
      expect(new Set(placeholders(translated).used), `${lang} ${key}`).toEqual(new Set(placeholders(entry).used));
    }
  });

  it.each(languages)('%s: localeCode (the pages\' lang attribute) names the folder', (lang) => {
    expect(locale(lang).localeCode?.message).toBe(lang.replace('_', '-'));
  });

  it.each(languages)('%s: every $NAME$ is declared and no lone $ is left', (lang) => {
    for (const [key, entry] of Object.entries(locale(lang))) {
      const { declared, used } = placeholders(entry);
      for (const name of used) expect(declared, `${lang} ${key}: $${name}$`).toHaveProperty(name);
      const rest = entry.message.replace(/\$\$|\$[A-Za-z0-9_@]+\$/g, '');
      expect(rest, `${lang} ${key}: a $ that is neither $$ nor a placeholder`).not.toContain('$');
    }
  });
});

describe('keys in the code', () => {
  const used = new Set<string>();
  for (const path of SOURCES) {
    walk(parse(path), (node) => {
      if (ts.isStringLiteralLike(node) && Object.hasOwn(english, node.text)) used.add(node.text);
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 't') {
        const first = node.arguments[0];
        if (first && ts.isStringLiteralLike(first)) expect(english, `${relative(ROOT, path)}: t('${first.text}')`).toHaveProperty(first.text);
      }
    });
  }
  const manifestKeys = [...readFileSync(join(ROOT, 'wxt.config.ts'), 'utf8').matchAll(/__MSG_(\w+)__/g)].map((m) => m[1]!);
  for (const key of manifestKeys) used.add(key);

  it('exist in English (tsc checks it too: MessageKey comes from the English file)', () => {
    for (const key of manifestKeys) expect(english).toHaveProperty(key);
    expect(used.size).toBeGreaterThan(100);
  });

  it('every English message is used by the code or the manifest', () => {
    expect(Object.keys(english).filter((key) => !used.has(key))).toEqual([]);
  });
});

describe('no user-visible literal in components', () => {
  const uiFiles = SOURCES.filter((path) => path.includes('/components/') || path.endsWith('.tsx'));
  const prose = (text: string) => /[A-Z][a-z]*\s/.test(text) || (/\s/.test(text) && /[A-Za-z](\.|…|:)\s*$/.test(text));

  it.each(uiFiles.map((path) => relative(ROOT, path)))('%s', (file) => {
    const problems: string[] = [];
    const component = file.startsWith('components/');
    walk(parse(join(ROOT, file)), (node) => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
      if (ts.isJsxText(node)) {
        const text = node.text.trim();
        if (text && !ALLOWED_JSX_TEXT.has(text)) problems.push(`JSX text "${text}"`);
      } else if (ts.isJsxAttribute(node) && node.initializer && ts.isStringLiteral(node.initializer)) {
        const name = node.name.getText();
        if (USER_ATTRIBUTES.has(name) && /[A-Z\s]/.test(node.initializer.text)) problems.push(`${name}="${node.initializer.text}"`);
      } else if (!component) {
        // Entrypoints: only their JSX; their other strings are console lines and internal errors.
      } else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !ts.isImportDeclaration(node.parent)) {
        if (!ts.isJsxAttribute(node.parent) && prose(node.text) && !ALLOWED_STRINGS.has(node.text)) problems.push(`string "${node.text}"`);
      } else if (ts.isTemplateExpression(node)) {
        const parts = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)];
        if (parts.some(prose)) problems.push(`template \`${node.getText()}\``);
      }
    });
    expect(problems).toEqual([]);
  });
});

describe('French', () => {
  afterEach(() => {
    cleanup();
    setMessageSource(getMessageFromFile(english));
  });

  const state: EarshotState = {
    revision: 1,
    configured: true,
    registration: { status: 'registered', since: 0 },
    user: { extension: '2001', displayName: 'Sam Ortiz', scope: 'Call Center Supervisor', dtmfMonitoringGranted: false },
    agents: {},
    session: {
      id: 's1',
      agent: { extension: '201', name: 'Ana Lima' },
      status: 'active',
      mode: 'listen',
      availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
      startedAt: 0,
      levels: { heard: 0.4, sent: 0 },
    },
    microphone: 'granted',
    log: [],
  };
  const send = (() => Promise.resolve({ ok: true })) as unknown as SendCommand;

  it('renders the side panel from the French messages, placeholders filled', () => {
    setMessageSource(getMessageFromFile(locale('fr')));
    render(<MonitorPanel state={state} send={send} now={() => 65_000} />);
    expect(screen.getByRole('button', { name: 'Raccrocher' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Mode d’écoute' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Intervenir (Barge-In)' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Écoute seule : Ana Lima (201)');
    expect(screen.getByText(/en tant que Sam Ortiz \(2001\)/)).toBeTruthy();
    expect(screen.getByRole('timer', { name: 'Durée écoulée 01:05' })).toBeTruthy();
    expect(screen.getByText('Aucune session pour le moment.')).toBeTruthy();
  });

  it('plural picks one or other, the count as $1', () => {
    setMessageSource(getMessageFromFile(locale('fr')));
    expect(plural(1, 'saveProblemsOne', 'saveProblemsOther')).toBe('Un problème : rien n’a été enregistré');
    expect(plural(3, 'saveProblemsOne', 'saveProblemsOther')).toBe('3 problèmes : rien n’a été enregistré');
  });

  it('a missing message shows its key, never an empty label', () => {
    setMessageSource(() => '');
    expect(t('hangUp')).toBe('hangUp');
  });
});
