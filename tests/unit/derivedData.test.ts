/**
 * SQL's copy of the labels (`.sift/label_events.parquet`) is derived data: on open it is checked against its source
 * (the store, and the store against the label journal) and rebuilt, with a notice, when it is damaged, missing or
 * behind — never a reason for a query or `sift tables` to fail. Through the real CLI, as separate processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import type { SessionSummary } from '../../shared/contract';
import { home, sift } from './cliFixture';
import { call, tempDir, runJob } from './support';

let dir: string;
let snapshot: string;
let storedLabels: number;

async function sqlLabelCount(): Promise<number> {
  const out = await sift(
    'query',
    '--workspace',
    dir,
    '--format',
    'json',
    '--sql',
    'SELECT count(*) AS n FROM label_events',
  );
  expect(out.code, out.stderr).toBe(0);
  return Number((JSON.parse(out.stdout) as { n: number }[])[0]!.n);
}

async function storeCount(): Promise<number> {
  const host = await Host.open(dir, { remember: false });
  try {
    return await host.workspace.withStore(async (conn) =>
      Number((await conn.runAndReadAll('SELECT count(*) FROM label_events')).getRowsJson()[0]![0]),
    );
  } finally {
    await host.close();
  }
}

beforeAll(async () => {
  dir = path.join(tempDir('sift-derived-'), 'ws');
  expect((await sift('sample', '--workspace', dir)).code).toBe(0);
  snapshot = path.join(dir, '.sift', 'label_events.parquet');
  storedLabels = await storeCount();
  expect(storedLabels).toBeGreaterThan(0);
}, 120_000);

describe("SQL's copy of the labels", () => {
  it('truncated: sift tables and queries still work, and the copy is rebuilt from the store with a notice', async () => {
    const bytes = fs.readFileSync(snapshot);
    fs.writeFileSync(snapshot, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const tables = await sift('tables', '--json', '--workspace', dir);
    expect(tables.code, tables.stderr).toBe(0);
    expect(tables.stderr).toMatch(/label_events\.parquet.*rebuilt/);
    expect(
      (JSON.parse(tables.stdout) as { name: string; rowCount: number }[]).find((table) => table.name === 'label_events')
        ?.rowCount,
    ).toBe(storedLabels);
    expect(await sqlLabelCount()).toBe(storedLabels);
  });

  it('missing: rebuilt', async () => {
    fs.rmSync(snapshot);
    expect(await sqlLabelCount()).toBe(storedLabels);
  });

  it('damaged while the workspace is open: the next connection rebuilds it', async () => {
    const host = await Host.open(dir, { remember: false });
    try {
      fs.writeFileSync(snapshot, 'not parquet');
      const outcome = await host.dispatch('query.run', { queryId: 'q', sql: 'SELECT count(*) FROM label_events' });
      expect(outcome).toMatchObject({ ok: true, value: { rows: [[String(storedLabels)]] } });
    } finally {
      await host.close();
    }
  });

  it('behind the store, as a kill -9 between the store commit and the rename leaves it (an old copy and a .partial): rebuilt on open', async () => {
    // The copy as it was before the last labels, and the half-written file a killed process left beside it.
    const host = await Host.open(dir, { remember: false });
    let older: number;
    try {
      older = await host.workspace.withStore(async (conn) => {
        const keep = Math.floor(storedLabels / 2);
        await conn.run(
          `COPY (SELECT * FROM label_events ORDER BY created_at, event_id LIMIT ${keep}) TO '${snapshot}.older' (FORMAT parquet)`,
        );
        return keep;
      });
    } finally {
      await host.close();
    }
    fs.renameSync(`${snapshot}.older`, snapshot);
    fs.writeFileSync(`${snapshot}.99999.partial`, 'PAR1 half written');
    expect(older).toBeLessThan(storedLabels);
    expect(await sqlLabelCount()).toBe(storedLabels);
    expect(fs.existsSync(`${snapshot}.99999.partial`)).toBe(false);
  });
});

describe('the store behind the label journal', () => {
  it('kill -9 of `sift labels ingest` right after its events are acknowledged: SQL shows every acknowledged label on the next open', async () => {
    const host = await Host.open(dir, { remember: false });
    let session: SessionSummary;
    let pool: string[];
    try {
      session = await runJob(host, 'sessions.create', {
        name: 'derived',
        pool: "SELECT content_id FROM content WHERE content_id < 'c00000400'",
        model: 'text-distil',
        version: '2024.03.0',
        strategy: 'random',
        batchSize: 50,
      });
      const batch = await call(host, 'sessions.next', { sessionId: session.id, annotator: 'feed' });
      pool = batch.items.map((item) => item.contentId);
    } finally {
      await host.close();
    }
    const before = await sqlLabelCount();
    const child: ChildProcess = spawn(
      'node',
      ['bin/sift.mjs', 'labels', 'ingest', '--workspace', dir, '--session', session.id, '--annotator', 'feed'],
      {
        env: { ...process.env, SIFT_HOME: home },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let acknowledged = 0;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        acknowledged += chunk
          .toString()
          .split('\n')
          .filter((line) => line.includes('event_id')).length;
        // Killed the moment every event is on disk: the store sync (a second of idle later) has not run.
        if (acknowledged === pool.length) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      for (const contentId of pool)
        child.stdin!.write(`${JSON.stringify({ content_id: contentId, category: 'spam', value: 1 })}\n`);
    });
    await exited;
    expect(await sqlLabelCount()).toBe(before + pool.length);
  }, 120_000);
});
