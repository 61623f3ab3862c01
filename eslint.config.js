import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
);
