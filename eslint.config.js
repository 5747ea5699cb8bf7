// Lint: typescript-eslint's recommended rules, React's hooks rules, and the rooms of the layout —
// renderer/ and shared/ never import electron/ (or Node-only code), only main.ts and preload.ts import Electron,
// and the CLI reaches features only through the host's contract.
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const noElectronModule = {
  name: 'electron',
  message: 'Only electron/main.ts and electron/preload.ts import Electron.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'release/**',
      'test-results/**',
      'playwright-report/**',
      'models/**/*.onnx',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectronModule],
          patterns: [
            { group: ['**/electron/**'], message: 'The renderer talks to the host only through the API client.' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectronModule],
          patterns: [{ group: ['../*', '!./*'], message: 'shared/ imports nothing outside shared/.' }],
        },
      ],
    },
  },
  {
    // A folder inside shared/ (the contract's parts) may reach shared/ itself, nothing above it.
    files: ['shared/*/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectronModule],
          patterns: [{ group: ['../../*'], message: 'shared/ imports nothing outside shared/.' }],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectronModule] }] },
  },
  {
    // The command line reaches a workspace only through the host's contract (Host.dispatch, which validates every
    // input and applies the caller's access): of electron/host/ it imports host.ts and outsideWorkspace.ts (what is
    // done with no workspace open), never a feature's module.
    files: ['electron/cli.ts', 'electron/cliCommands.ts', 'electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectronModule],
          patterns: [
            {
              group: ['**/host/**', '!**/host/host.js', '!**/host/outsideWorkspace.js'],
              message:
                'The CLI calls features through Host.dispatch (electron/cli/hostCalls.ts); add a contract method if one is missing.',
            },
          ],
        },
      ],
    },
  },
);
