/**
 * A long operation has one name and is always a job: its call answers `{ jobId }`, its end arrives as a job event,
 * and the result is the type its contract declares (`job<Result>()`). The old `*Start` twins are gone: calling one
 * is an UNKNOWN_METHOD, over dispatch and over browser-mode HTTP alike. The CLI waits on the job through dispatch and
 * prints its progress on stderr only, so the stdout scripts read stays byte for byte what it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { type RunningServer, startServer } from '../../electron/server';
import { JOB_METHOD_NAMES } from '../../shared/contract';
import type { JobSummary } from '../../shared/jobs';
import { siftOk } from './cliFixture';
import { openTempHost, postJson, tempDir, writeTemp } from './support';

const REMOVED_TWINS = [
  'eval.start',
  'eval.calibrateStart',
  'spike.drillStart',
  'models.compareStart',
  'sessions.createStart',
  'sessions.retrainStart',
  'datasets.exportStart',
  'import.start',
];

let host: Host;
let files: string;
let server: RunningServer;

beforeAll(async () => {
  ({ host } = await openTempHost());
  files = tempDir('sift-typed-jobs-');
  const staticDir = tempDir('sift-typed-jobs-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Sift</title>');
  server = await startServer({ host, staticDir });
});

afterAll(async () => {
  await server?.close();
  await host?.close();
});

describe('typed jobs', () => {
  it('every long operation is declared once, as a job, under a name without a suffix', () => {
    expect([...JOB_METHOD_NAMES].sort()).toEqual([
      'datasets.export',
      'drift.compare',
      'drift.weekly',
      'eval.calibrate',
      'eval.run',
      'gate.run',
      'import.run',
      'media.prepare',
      'models.compare',
      'models.score',
      'query.export',
      'query.exportScript',
      'robustness.run',
      'sessions.backtest',
      'sessions.create',
      'sessions.retrain',
      'spike.drill',
    ]);
  });

  it("delivers a job's result, typed by its contract, through dispatch and the job's events", async () => {
    const file = writeTemp(files, 'appeals.csv', 'id,reason\n1,spam\n2,abuse\n3,spam\n');
    const seen: JobSummary[] = [];
    host.onEvent((event) => {
      if (event.channel === 'job' && event.event.type !== 'log') seen.push(event.event.job);
    });
    const progress: JobSummary[] = [];
    const outcome = await host.runJob(
      'import.run',
      { path: file, table: 'appeals' },
      { onProgress: (job) => progress.push(job) },
    );
    // Typed: an ImportOutcome, no cast.
    const rows: number = outcome.rows;
    const table: string = outcome.table;
    expect({ rows, table }).toEqual({ rows: 3, table: 'appeals' });
    // It came as a job: started by import.run, followed through its progress, ended done with this very result.
    const done = seen.find((job) => job.status === 'done')!;
    expect(done).toMatchObject({ method: 'import.run', status: 'done', result: outcome });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((job) => job.id === done.id && job.method === 'import.run')).toBe(true);
    expect(host.jobs.get(done.id).result).toEqual(outcome);
  });

  it("answers a refused call without starting a job, and a failed job's own error", async () => {
    const before = host.jobs.list().length;
    expect(await host.dispatchJob('import.run', { path: 'x.csv', table: '1 bad name' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('import.run: table:') },
    });
    expect(host.jobs.list()).toHaveLength(before);
    const ragged = writeTemp(files, 'ragged.csv', 'a,b\n1,2\n3\n');
    await expect(host.runJob('import.run', { path: ragged })).rejects.toMatchObject({
      info: { code: 'IMPORT_BAD_CSV', message: expect.stringContaining('ragged.csv line 3') },
    });
  });

  it('refuses every removed *Start twin by name, over dispatch and over HTTP', async () => {
    for (const name of REMOVED_TWINS) {
      expect(await host.dispatch(name, {}), name).toEqual({
        ok: false,
        error: { code: 'UNKNOWN_METHOD', message: `There is no method named "${name}".` },
      });
      expect(await postJson(server, name, {}), name).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });
});

describe('the CLI waits on jobs through dispatch', () => {
  it('prints the progress of sift eval on stderr while its stdout stays the golden bytes', async () => {
    const workspace = path.join(tempDir('sift-typed-jobs-ws-'), 'ws');
    await siftOk('sample', '--kind', 'platform', '--workspace', workspace);
    const { stdout, stderr } = await siftOk('eval', '--model', 'text-distil', '--json', '--workspace', workspace);
    expect(stdout).toBe(fs.readFileSync(path.join('tests', 'golden', 'cli', 'eval.out'), 'utf8'));
    // On a pipe, a line each time another tenth is done; the last says it all is.
    const lines = stderr.split('\n').filter((line) => line.startsWith('eval: '));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => /^eval: \d{1,3}%$/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe('eval: 100%');
  }, 240_000);
});
