/**
 * The `sift` command never dies with a signal because of what it was asked to run: query, import, score, eval and
 * session run their engine in a child process, and when that child is killed by a signal (DuckDB 1.5.5 and 1.5.6
 * segfault on JSON nested 100,000 deep built at run time) the command says so and exits 1. A killed `sift` takes
 * its engine with it. Real processes throughout.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { home, sift } from './cliFixture';
import { tempDir, writeTemp } from './support';

let workspace: string;

/** Whether the workspace opens here, i.e. no other process holds it (DuckDB's file lock). */
async function opensHere(): Promise<boolean> {
  try {
    await (await Host.open(workspace, { remember: false })).close();
    return true;
  } catch (error) {
    if (/open in another Sift process|lock/i.test(String((error as Error).message))) return false;
    throw error;
  }
}

/**
 * The pids of `parentPid`'s child processes that have the workspace's database open, read from /proc. Read this way,
 * not by trying to open the workspace: a probe that opens it holds DuckDB's lock itself while it looks, and a child
 * starting meanwhile finds the workspace taken and exits.
 */
function childrenHoldingWorkspace(parentPid: number): number[] {
  const database = path.join(workspace, 'workspace.duckdb');
  const holders: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== parentPid) continue;
      if (readdirSync(`/proc/${entry}/fd`).some((fd) => readlinkSafe(`/proc/${entry}/fd/${fd}`) === database))
        holders.push(Number(entry));
    } catch {
      // The process ended while it was being read.
    }
  }
  return holders;
}

function readlinkSafe(link: string): string | undefined {
  try {
    return readlinkSync(link);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  workspace = path.join(tempDir('sift-engine-crash-'), 'ws');
  expect((await sift('init', '--workspace', workspace)).code).toBe(0);
}, 120_000);

describe('a query that crashes the engine', () => {
  it('is reported, and sift exits 1 instead of dying with SIGSEGV', async () => {
    const crashed = await sift(
      'query',
      '--workspace',
      workspace,
      '--sql',
      "SELECT json_structure(repeat('[', 100000) || repeat(']', 100000))",
    );
    expect(crashed.signal).toBeNull();
    expect(crashed.code).toBe(1);
    expect(crashed.stderr).toContain('sift: the query crashed the engine (SIGSEGV)');
    // The workspace is intact and the next command works.
    const after = await sift('query', '--workspace', workspace, '--format', 'json', '--sql', 'SELECT 41 + 1 AS answer');
    expect(after).toMatchObject({ code: 0, stdout: expect.stringContaining('{"answer":42}') });
  });

  it('leaves output, input, exit codes and messages as they were', async () => {
    const file = writeTemp(tempDir('sift-engine-crash-files-'), 'rows.csv', 'id,name\n1,a\n2,b\n');
    expect(await sift('import', file, '--workspace', workspace)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/Imported 2 rows/),
    });
    expect(
      await sift('query', '--workspace', workspace, '--format', 'csv', '--sql', 'SELECT name FROM rows ORDER BY id'),
    ).toMatchObject({ code: 0, stdout: 'name\na\nb\n' });
    expect(await sift('query', '--workspace', workspace)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('give exactly one of --sql'),
    });
    expect(await sift('query', '--workspace', workspace, '--sql', 'SELECT * FROM nowhere')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^sift: .*nowhere/),
    });
    expect(await sift('session', 'list', '--json', '--workspace', workspace)).toMatchObject({
      code: 0,
      stdout: '[]\n',
    });
  });

  it('a killed sift takes its engine with it: the workspace is free again', async () => {
    const child = spawn(
      'node',
      [
        'bin/sift.mjs',
        'query',
        '--workspace',
        workspace,
        '--sql',
        'SELECT sum(hash(a.range + b.range)) FROM range(3000000) a, range(3000000) b',
      ],
      {
        env: { ...process.env, SIFT_HOME: home },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let engines: number[] = [];
    await waitFor(
      async () => (engines = childrenHoldingWorkspace(child.pid!)).length > 0,
      'the engine holds the workspace',
    );
    child.kill('SIGKILL');
    await exited;
    await waitFor(async () => !engines.some(alive), 'the engine ended with its sift');
    expect(await opensHere()).toBe(true);
  }, 120_000);
});
