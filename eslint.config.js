// ESLint (flat config): typescript-eslint's recommended rules, plus import-x's no-cycle and the layer zones so that
// the data flow stays one way (docs/architecture.md). Formatting is Prettier's (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { entryZones, layerZones } from './scripts/layers.mjs';

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'fixtures/generated*/', '.cache/', '.runs/', 'examples/web/dist/', '**/*.py'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain scripts run on Node (TypeScript files get their globals from @types/node).
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import each other as './x.js' (NodeNext); the files on disk are './x.ts'.
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      // Folders are layers that only point down (scripts/layers.mjs, docs/architecture.md).
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones(), ...entryZones()] }],
      // Names read from hostile files are made printable by matching control characters on purpose.
      'no-control-regex': 'off',
      'import-x/no-self-import': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
);
