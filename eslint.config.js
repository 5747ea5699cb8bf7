// Lint: typescript-eslint's recommended rules, React's hooks rules, and the rooms of the layout —
// renderer/ and shared/ never import electron/ (or Node-only code), only main.ts and preload.ts import Electron,
// the CLI reaches features only through the host's contract, and the folders of electron/host/ import only the
// folders below them (HOST_FLOORS).
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const noElectronModule = {
  name: 'electron',
  message: 'Only electron/main.ts and electron/preload.ts import Electron.',
};

/**
 * Which host folders each folder of electron/host/ may import: the floors only point down (workspace/ and compute/
 * at the bottom, samples/ at the top). A new edge is added here, on purpose, or the import moves.
 */
export const HOST_FLOORS = {
  workspace: [],
  compute: [],
  query: ['workspace'],
  import: ['workspace', 'media'],
  reports: ['workspace', 'query'],
  spikes: ['workspace', 'compute', 'media'],
  models: ['workspace', 'query', 'compute', 'spikes', 'media'],
  evaluation: ['workspace', 'query', 'compute', 'models'],
  drift: ['workspace', 'query', 'models', 'evaluation'],
  robustness: ['workspace', 'query', 'compute', 'models', 'evaluation'],
  labeling: ['workspace', 'query', 'compute', 'models', 'media'],
  datasets: ['workspace', 'labeling', 'media'],
  samples: ['workspace', 'query', 'reports', 'media'],
  monitors: ['workspace', 'compute'],
  feeds: ['workspace', 'import', 'compute'],
  gates: ['workspace', 'query', 'compute', 'models', 'evaluation', 'drift', 'robustness'],
  media: ['workspace', 'compute'],
};
/** The files at electron/host/'s root that any folder may import. */
const HOST_BASE_FILES = ['jobs.ts', 'processes.ts', 'projectPaths.ts', 'lazyBuiltins.ts', 'services.ts'];
/** The files at electron/host/'s root that compose the folders: no folder imports them. */
const HOST_COMPOSITION_FILES = [
  'host',
  'computeTasks',
  'computeWorkerMain',
  'outsideWorkspace',
  'jobHandlers',
  'alwaysOn',
];

/**
 * The rule for `who` (a folder, or the base files, whose host root is './'): an import of a host folder outside
 * `allowed`, or of a composition file, is an error.
 */
function hostFloor(who, allowed, hostRoot = '../') {
  const may = allowed.length
    ? `only ${allowed.map((name) => `${name}/`).join(', ')} of the host's folders`
    : 'no host folder';
  return {
    paths: [noElectronModule],
    patterns: [
      {
        group: ['../*/**', '!../../**', ...allowed.map((name) => `!../${name}/**`), './*/**'],
        message: `Host floors (HOST_FLOORS in eslint.config.js): ${who} may import ${may}.`,
      },
      {
        group: HOST_COMPOSITION_FILES.map((name) => `${hostRoot}${name}.js`),
        message: `Host floors (eslint.config.js): no host folder imports the composition files (${HOST_COMPOSITION_FILES.join(', ')}).`,
      },
    ],
  };
}

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
  // The floors of electron/host/: each folder names the host folders it may import (besides its own files, shared/
  // and the host's base files jobs.ts, processes.ts, projectPaths.ts, lazyBuiltins.ts, services.ts). Nothing
  // imports upwards, so no circle can form between folders; the composition files (host.ts, computeTasks.ts, …)
  // are imported by no folder.
  ...Object.entries(HOST_FLOORS).map(([folder, allowed]) => ({
    files: [`electron/host/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', hostFloor(`electron/host/${folder}/`, allowed)] },
  })),
  {
    files: HOST_BASE_FILES.map((file) => `electron/host/${file}`),
    ignores: ['electron/host/services.ts'],
    rules: { 'no-restricted-imports': ['error', hostFloor(`electron/host/'s base files`, [], './')] },
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
