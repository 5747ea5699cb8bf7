/**
 * One workspace, many clients: every `sift` command answers the same — stdout and exit code — whether it opens the
 * workspace itself or runs through the engine `sift serve` holds it with (the socket of electron/engine/). The cases
 * walk the command table, so a new command fails here until it has a case (or a reason to be exempt). Two copies of
 * one sample workspace: A with no engine, B held by `sift serve`; each step runs on both at once (A's commands one by
 * one, B's steps' commands all at once). Real processes throughout.
 *
 * Normalised, because they legitimately differ between two runs: the workspace's and the output folder's paths,
 * generated ids (sessions, runs, events), timestamps of now, and measured durations and rates.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../electron/cli/commands';
import { readEngineAddress } from '../../electron/engine/engineAddress';
import { tempDir } from './support';

const home = tempDir('sift-through-home-');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sift(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('node', ['bin/sift.mjs', ...args], { env: { ...process.env, SIFT_HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** What one side (A or B) has: its workspace, its output folder, and what earlier steps made there. */
interface Side {
  ws: string;
  out: string;
  session?: string;
  alert?: string;
}

interface Case {
  args: (side: Side) => string[];
  stdin?: string;
  /** Reads what it printed into the side, for later steps. */
  after?: (side: Side, run: Run) => void;
}

const INPUT_CSV = 'item_id,text,score\n1,first,0.5\n2,second,0.25\n3,third,\n';
const POOL = "SELECT content_id FROM content WHERE content_id < 'c00000400'";
const LABELS = [
  '{"content_id":"c00000001","category":"spam","value":1}',
  '{"content_id":"c00000002","category":"spam","value":0}',
  'not json',
  '{"kind":"skip","content_id":"c00000003"}',
].join('\n');

const GATES = JSON.stringify({ categories: { '*': { max_ece: 0.2, max_recall_drop: 0.01 } } });

const MONITOR = ['monitor', 'add', '--name', 'parity', '--source', 'reports', '--by', 'reason', '--bucket', 'hour'];

/** Steps in order; the commands of one step do not depend on one another. */
const STEPS: Partial<Record<keyof typeof COMMANDS, Case>>[] = [
  {
    tables: { args: () => ['tables'] },
    query: { args: () => ['query', '--sql', 'SELECT category, count(*) AS n FROM reports GROUP BY 1 ORDER BY 1'] },
    models: { args: () => ['models'] },
    // One item of the sample's media (a picture), so the step stays short: the whole sample's take a minute.
    'media prepare': { args: () => ['media', 'prepare', '--item', 'c00000081', '--json'] },
    'media clusters': { args: () => ['media', 'clusters', '--json'] },
    'media audit': { args: () => ['media', 'audit', '--json'] },
    'media purge': { args: () => ['media', 'purge', '--json'] },
    spike: { args: () => ['spike', '--json'] },
    eval: { args: () => ['eval', '--model', 'text-distil', '--json'] },
    gate: {
      args: (side) => [
        'gate',
        '--model',
        'text-distil',
        '--candidate',
        '2024.03.0',
        '--gates',
        path.join(side.out, 'gates.json'),
        '--json',
      ],
    },
    robustness: {
      args: () => ['robustness', '--model', 'text-distil', '--limit', '40', '--latency-sample', '0', '--json'],
    },
    agreement: { args: () => ['agreement'] },
    drift: { args: () => ['drift', '--model', 'text-distil', '--json'] },
    'session list': { args: () => ['session', 'list'] },
    'monitor add': { args: () => [...MONITOR, '--json'] },
  },
  {
    import: { args: (side) => ['import', path.join(side.out, 'extra.csv'), '--table', 'extra'] },
    score: {
      args: () => [
        'score',
        '--model',
        'text-distil',
        '--sql',
        "SELECT content_id, text FROM content WHERE content_id < 'c00000020'",
      ],
    },
    'policy migrate': { args: () => ['policy', 'migrate', '--json'] },
    'watch add': { args: (side) => ['watch', 'add', path.join(side.out, 'landing'), '--table', 'landed'] },
    'monitor check': { args: () => ['monitor', 'check', '--name', 'parity', '--json'] },
  },
  {
    'session create': {
      args: () => [
        'session',
        'create',
        '--name',
        'parity',
        '--pool',
        POOL,
        '--model',
        'text-distil',
        '--strategy',
        'entropy',
        '--batch',
        '5',
        '--json',
      ],
      after: (side, run) => (side.session = (JSON.parse(run.stdout) as { id: string }).id),
    },
    alerts: {
      args: () => ['alerts', '--json'],
      after: (side, run) => (side.alert = (JSON.parse(run.stdout) as { id: string }[])[0]!.id),
    },
  },
  {
    'watch list': { args: () => ['watch', 'list', '--json'] },
    'session next': { args: (side) => ['session', 'next', '--session', side.session!, '--annotator', 'ann', '--json'] },
    backtest: { args: (side) => ['backtest', '--session', side.session!, '--cut', '2024-03-03', '--json'] },
    'monitor acknowledge': { args: (side) => ['monitor', 'acknowledge', '--alert', side.alert!, '--by', 'lead'] },
    'monitor set': { args: () => ['monitor', 'set', '--name', 'parity', '--min-count', '6'] },
  },
  {
    'labels ingest': {
      args: (side) => ['labels', 'ingest', '--session', side.session!, '--annotator', 'ann'],
      stdin: LABELS,
    },
    'monitor resolve': { args: (side) => ['monitor', 'resolve', '--alert', side.alert!, '--by', 'lead', '--json'] },
  },
  {
    'labels export': {
      args: (side) => [
        'labels',
        'export',
        '--session',
        side.session!,
        '--annotator',
        'ann',
        '--out',
        path.join(side.out, 'pack.ndjson'),
      ],
    },
    'session retrain': { args: (side) => ['session', 'retrain', '--session', side.session!, '--json'] },
    'monitor list': { args: () => ['monitor', 'list', '--json'] },
    'dataset export': {
      args: (side) => ['dataset', 'export', '--name', 'parity', '--out', path.join(side.out, 'datasets')],
    },
  },
  {
    'labels import': {
      args: (side) => ['labels', 'import', path.join(side.out, 'pack.ndjson'), '--session', side.session!],
    },
    'dataset verify': {
      args: (side) => ['dataset', 'verify', path.join(side.out, 'datasets', 'parity', 'v1'), '--json'],
    },
    'dataset diff': {
      args: (side) => [
        'dataset',
        'diff',
        path.join(side.out, 'datasets', 'parity', 'v1'),
        path.join(side.out, 'datasets', 'parity', 'v1'),
      ],
    },
  },
  {
    'watch remove': { args: (side) => ['watch', 'remove', path.join(side.out, 'landing')] },
    'monitor remove': { args: () => ['monitor', 'remove', '--name', 'parity'] },
  },
];

/** Commands not about an open workspace, or that hold one themselves. */
const EXEMPT: Partial<Record<keyof typeof COMMANDS, string>> = {
  init: 'creates a new workspace: no engine can hold it yet',
  sample: 'creates a new workspace from the sample data: no engine can hold it yet',
  serve: 'is the engine the other side runs through (and connects to one itself: tested below)',
  'watch run': 'holds the workspace until a signal, as serve does (following an engine that holds it: tested below)',
};

const today = new Date().toISOString().slice(0, 10);

function normalised(text: string, side: Side): string {
  return text
    .replaceAll(side.ws, '<WS>')
    .replaceAll(side.out, '<OUT>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<UUID>')
    .replace(/\b[a-z][0-9a-z]{20}\b/g, '<ID>')
    .replace(new RegExp(`${today}T[0-9:.]+Z`, 'g'), '<NOW>')
    .replace(/\d+(\.\d+)? (s|ms)\b/g, '<DURATION>')
    .replace(/\d+(\.\d+)? items\/s/g, '<RATE>')
    .replace(
      /"(elapsedMs|ms|durationMs|train|rescore|total|textsPerSecond|p50Ms|p99Ms|maxMs)":\s*[\d.e-]+/g,
      '"$1": <DURATION>',
    );
}

const argsOn = (side: Side, testCase: Case) => [...testCase.args(side), '--workspace', side.ws];

let base: string;
let sideA: Side;
let sideB: Side;
let serve: ChildProcess;

function copySide(name: string): Side {
  const root = tempDir(`sift-through-${name}-`);
  const side = { ws: path.join(root, 'ws'), out: path.join(root, 'out') };
  fs.cpSync(base, side.ws, { recursive: true });
  fs.mkdirSync(path.join(side.out, 'landing'), { recursive: true });
  fs.writeFileSync(path.join(side.out, 'extra.csv'), INPUT_CSV);
  fs.writeFileSync(path.join(side.out, 'gates.json'), GATES);
  return side;
}

beforeAll(async () => {
  base = path.join(tempDir('sift-through-base-'), 'ws');
  expect((await sift(['sample', '--workspace', base])).code).toBe(0);
  sideA = copySide('a');
  sideB = copySide('b');
  // B's files outside the workspace are in the folder serve is given: the engine reads what it was given.
  serve = spawn('node', ['bin/sift.mjs', 'serve', '--workspace', sideB.ws, '--folder', sideB.out], {
    env: { ...process.env, SIFT_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    serve.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('is serving') && resolve());
    serve.once('exit', (code) => reject(new Error(`sift serve exited (${code})`)));
  });
  expect(readEngineAddress(sideB.ws)?.kind).toBe('serve');
}, 180_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
});

describe('every command, with and without an engine holding the workspace', () => {
  it('has a case for each command of the table, or a reason to be exempt', () => {
    const covered = new Set([...STEPS.flatMap((step) => Object.keys(step)), ...Object.keys(EXEMPT)]);
    expect(Object.keys(COMMANDS).filter((name) => !covered.has(name))).toEqual([]);
  });

  it("prints the same stdout and exits with the same code through `sift serve`'s engine", async () => {
    for (const step of STEPS) {
      const cases = Object.entries(step) as [string, Case][];
      const onA = (async () => {
        const runs: Run[] = [];
        for (const [, testCase] of cases) runs.push(await sift(argsOn(sideA, testCase), testCase.stdin));
        return runs;
      })();
      const onB = Promise.all(cases.map(([, testCase]) => sift(argsOn(sideB, testCase), testCase.stdin)));
      const [runsA, runsB] = await Promise.all([onA, onB]);
      cases.forEach(([name, testCase], i) => {
        const a = runsA[i]!;
        const b = runsB[i]!;
        expect({ name, code: b.code, stdout: normalised(b.stdout, sideB) }, `A: ${a.stderr}\nB: ${b.stderr}`).toEqual({
          name,
          code: a.code,
          stdout: normalised(a.stdout, sideA),
        });
        // Progress: a job's lines on stderr either way.
        expect(/\d+%/.test(b.stderr), `${name}: ${b.stderr}`).toBe(/\d+%/.test(a.stderr));
        testCase.after?.(sideA, a);
        testCase.after?.(sideB, b);
      });
    }
    // The engine still holds B, and answered everything: it was never opened a second time.
    expect(readEngineAddress(sideB.ws)?.pid).toBeDefined();
  }, 600_000);
});

describe('several clients at once', () => {
  const READS = [
    ['tables'],
    ['query', '--sql', 'SELECT count(*) FROM content'],
    ['agreement', '--json'],
    ['session', 'list'],
    ['spike', '--json'],
  ];

  it('answers several commands running at once while `sift serve` holds the workspace, as each alone', async () => {
    const alone: Run[] = [];
    for (const args of READS) alone.push(await sift([...args, '--workspace', sideA.ws]));
    const together = await Promise.all(READS.map((args) => sift([...args, '--workspace', sideB.ws])));
    expect(together.map((run) => [run.code, normalised(run.stdout, sideB)])).toEqual(
      alone.map((run) => [run.code, normalised(run.stdout, sideA)]),
    );
  }, 300_000);

  it('with no engine running, commands started at once share the one that wins the lock', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => sift(['tables', '--json', '--workspace', sideA.ws])));
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    expect(new Set(runs.map((run) => run.stdout)).size).toBe(1);
    // The last one to finish took its address away: no engine holds A now.
    expect(readEngineAddress(sideA.ws)).toBeNull();
  }, 300_000);

  it('`sift watch run` holds a free workspace for other commands, and follows the engine of `sift serve`', async () => {
    const started = (ws: string) => {
      const child = spawn('node', ['bin/sift.mjs', 'watch', 'run', '--workspace', ws], {
        env: { ...process.env, SIFT_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const said = (text: string) =>
        new Promise<void>((resolve) =>
          child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()).includes(text) && resolve()),
        );
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { child, said, exited, stderr: () => stderr };
    };
    const own = started(sideA.ws);
    await own.said('Ctrl+C stops');
    expect(readEngineAddress(sideA.ws)?.kind).toBe('watch');
    const through = await sift(['tables', '--json', '--workspace', sideA.ws]);
    expect(through.code).toBe(0);
    own.child.kill('SIGINT');
    expect(await own.exited).toBe(0);
    expect(readEngineAddress(sideA.ws)).toBeNull();

    const following = started(sideB.ws);
    await following.said('following it');
    expect(following.stderr()).toContain('sift serve (PID');
    following.child.kill('SIGINT');
    expect(await following.exited).toBe(0);
    expect(readEngineAddress(sideB.ws)?.kind).toBe('serve');
  }, 120_000);
});
