import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';

/**
 * The layers, lowest first. A layer imports itself and the layers listed for
 * it, nothing else (docs/architecture.md draws them). Type-only imports count.
 */
const LAYERS = [
  // The engine contract (lib/contract), rules and state machine (lib/monitor), the snapshot types, the log format.
  { type: 'model', pattern: ['lib/contract', 'lib/monitor', 'lib/state', 'lib/log'], may: [] },
  // PBX profiles as data and action plans.
  { type: 'pbx', pattern: ['lib/pbx'], may: ['model'] },
  // The sip.js engine; portal adapters. Siblings: neither imports the other.
  { type: 'phone', pattern: ['lib/phone'], may: ['model', 'pbx'] },
  { type: 'portals', pattern: ['lib/portals'], may: ['model', 'pbx'] },
  // The settings schema and merge, and what they give the contexts above (lib/settings/source.ts).
  { type: 'settings', pattern: ['lib/settings'], may: ['model', 'pbx', 'portals'] },
  // The background's logic and the protocol between contexts (they name each other's types).
  { type: 'coordinator', pattern: ['lib/coordinator'], may: ['model', 'pbx', 'portals', 'settings', 'messaging'] },
  { type: 'messaging', pattern: ['lib/messaging'], may: ['model', 'pbx', 'portals', 'settings', 'coordinator'] },
  // Browser glue: hosts the engine, stores, ports.
  {
    type: 'platform',
    pattern: ['lib/platform'],
    may: ['model', 'pbx', 'phone', 'portals', 'settings', 'coordinator', 'messaging'],
  },
  // Preact UI: never the engine, the browser glue or the background's logic; behaviour comes in by props.
  { type: 'components', pattern: ['components'], may: ['model', 'pbx', 'portals', 'settings', 'messaging'] },
  // Thin glue: anything.
  {
    type: 'entrypoints',
    pattern: ['entrypoints'],
    may: ['model', 'pbx', 'phone', 'portals', 'settings', 'coordinator', 'messaging', 'platform', 'components'],
  },
  // The PBX simulator (a Node program): only the pure model (e.g. lib/contract/extension.ts).
  { type: 'lab', pattern: ['lab'], may: ['model'] },
];

export default tseslint.config(
  { ignores: ['.output/**', '.wxt/**', 'node_modules/**', 'docs/**', 'dist/**', '.dev/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only']", message: 'No focused tests.' },
        { selector: "CallExpression[callee.property.name='skip']", message: 'No skipped tests.' },
      ],
    },
  },
  {
    // The lab's demo portal is a plain browser script served to the page.
    files: ['lab/portal/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    // lib/ is pure logic: browser globals only in lib/phone and lib/platform.
    files: ['lib/**/*.ts'],
    ignores: ['lib/phone/**', 'lib/platform/**'],
    rules: {
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'chrome', 'browser', 'localStorage'],
    },
  },
  {
    // Import direction (the layers above). Relative imports only below entrypoints/, so every one is resolved and checked.
    files: ['lib/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'entrypoints/**/*.{ts,tsx}', 'lab/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } },
      'boundaries/elements': LAYERS.map(({ type, pattern }) => ({ type, pattern })),
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            // Packages (preact, sip.js, zod, …) are not layers.
            { allow: { to: { module: { origin: 'external' } } } },
            { allow: { to: { module: { origin: 'core' } } } },
            ...LAYERS.map(({ type, may }) => ({
              from: { element: { type } },
              allow: { to: { element: { type: [type, ...may] } } },
            })),
          ],
        },
      ],
    },
  },
  {
    files: ['lib/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'lab/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(@|~|@@|~~)(/|$)', message: 'Relative imports here: the boundaries rule checks what it can resolve.' }] },
      ],
    },
  },
);
