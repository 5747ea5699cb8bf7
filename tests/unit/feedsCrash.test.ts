/**
 * kill -9 of the process running a feed during a file's ingest (issue 24): after a restart that file's rows are in
 * the table once or not at all, and the store's record agrees — before its transaction commits (rows none, the file
 * read again on restart) and between the commit and the store's record (rows all, recorded as taken from the
 * workspace's marker, not read again). Real `sift watch run` processes; a test-only pause holds the ingest there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { call, tempDir } from './support';

const home = tempDir('sift-feed-crash-home-');
let workspace: string;
let landing: string;

beforeEach(async () => {
  workspace = path.join(tempDir('sift-feed-crash-'), 'ws');
  landing = tempDir('sift-feed-crash-landing-');
  const host = await Host.open(workspace, { create: true, remember: false });
  await call(host, 'watch.add', { dir: landing, table: 'events', settleMs: 100 });
  await host.close();
});

interface Watcher {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: string | null }>;
}

function watchRun(env: Record<string, string> = {}): Watcher {
  const child = spawn('node', ['bin/sift.mjs', 'watch', 'run', '--workspace', workspace], {
    env: { ...process.env, SIFT_HOME: home, ...env },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

/** Polls until `ready()` holds (a file appears, a line is printed); fails with what the watcher printed. */
async function until(ready: () => boolean, watcher: Watcher, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!ready()) {
    if (Date.now() > deadline || watcher.child.exitCode !== null)
      throw new Error(`waiting for ${what}: ${JSON.stringify(watcher.output)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function stop(watcher: Watcher): Promise<void> {
  watcher.child.kill('SIGINT');
  expect(await watcher.exited).toEqual({ code: 0, signal: null });
}

async function state(): Promise<{ rows: number; records: { path: string; status: string; rows: number | null }[] }> {
  const host = await Host.open(workspace, { remember: false });
  try {
    const result = await call(host, 'query.run', { queryId: 'count', sql: 'SELECT count(*)::INTEGER FROM events' });
    const [feed] = await call(host, 'watch.list', {});
    const records = feed!.recent.map(({ path: file, status, rows }) => ({ path: path.basename(file), status, rows }));
    return { rows: Number(result.rows[0]![0]), records };
  } finally {
    await host.close();
  }
}

const rowsOf = (count: number, from = 0) =>
  `id,kind\n${Array.from({ length: count }, (_, i) => `${from + i},flag`).join('\n')}\n`;

it('a kill before the commit leaves no rows, and the file is taken once, whole, on restart', async () => {
  const flag = path.join(tempDir(), 'paused');
  const first = watchRun({ SIFT_TEST_FEED_PAUSE: flag });
  fs.writeFileSync(path.join(landing, 'a.csv'), rowsOf(500));
  await until(() => fs.existsSync(flag), first, 'the ingest to pause before its commit');
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');

  const second = watchRun();
  await until(() => second.output.stdout.includes('a.csv: 500 rows into events'), second, 'a.csv taken');
  await stop(second);
  expect(second.output.stderr).toContain('0 had committed (recorded as taken), 1 had not (to be read again)');
  expect(await state()).toEqual({ rows: 500, records: [{ path: 'a.csv', status: 'taken', rows: 500 }] });
}, 120_000);

it('a kill after the commit, before the store recorded it, keeps the rows once and records the file as taken', async () => {
  const flag = path.join(tempDir(), 'paused');
  const first = watchRun({ SIFT_TEST_FEED_PAUSE: `record:${flag}` });
  fs.writeFileSync(path.join(landing, 'b.csv'), rowsOf(300));
  await until(() => fs.existsSync(flag), first, 'the ingest to pause after its commit');
  first.child.kill('SIGKILL');
  await first.exited;

  const second = watchRun();
  // A later file is taken after b.csv would have been (oldest first): b.csv was not read again.
  fs.writeFileSync(path.join(landing, 'c.csv'), rowsOf(2, 1000));
  await until(() => second.output.stdout.includes('c.csv: 2 rows into events'), second, 'c.csv taken');
  await stop(second);
  expect(second.output.stderr).toContain('1 had committed (recorded as taken), 0 had not');
  expect(second.output.stdout).not.toContain('b.csv');
  const { rows, records } = await state();
  expect(rows).toBe(302);
  expect(records.sort((x, y) => x.path.localeCompare(y.path))).toEqual([
    { path: 'b.csv', status: 'taken', rows: 300 },
    { path: 'c.csv', status: 'taken', rows: 2 },
  ]);
}, 120_000);
