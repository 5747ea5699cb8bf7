/**
 * Linked imports of many files (issue 24): a glob pattern and a folder of hive-partitioned Parquet files become one
 * view that reads what matches when it is queried, inside the folders SQL may read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { call, jobOutcomeOf, openTempHost, runJob, tempDir, writeParquet } from './support';

let host: Host;

beforeAll(async () => {
  ({ host } = await openTempHost());
});

afterAll(async () => {
  await host.close();
});

const count = async (table: string) =>
  (
    await call(host, 'query.run', {
      queryId: `c-${table}-${Math.random()}`,
      sql: `SELECT count(*)::INTEGER FROM ${table}`,
    })
  ).rows[0]![0];

async function refusal(input: { path: string; table?: string }, on: Host = host): Promise<string> {
  const outcome = await jobOutcomeOf(on, 'import.run', { ...input, link: true });
  return outcome.ok ? 'linked' : outcome.error.message;
}

it('links a glob of CSV files as one view that reads the files landing later too', async () => {
  const landing = tempDir('sift-linked-csv-');
  fs.writeFileSync(path.join(landing, 'a.csv'), 'id,kind\n1,spam\n2,flag\n');
  fs.writeFileSync(path.join(landing, 'b.csv'), 'id,kind\n3,flag\n');
  fs.writeFileSync(path.join(landing, 'notes.txt'), 'not data');
  const outcome = await runJob(host, 'import.run', { path: path.join(landing, '*.csv'), link: true, table: 'landed' });
  expect(outcome).toMatchObject({
    table: 'landed',
    rows: 3,
    linked: true,
    format: 'csv',
    path: path.join(landing, '*.csv'),
  });
  fs.writeFileSync(path.join(landing, 'c.csv'), 'id,kind\n4,spam\n');
  expect(await count('landed')).toBe(4);
});

it('links a folder of Parquet files with hive partitioning, the partition keys as columns', async () => {
  const folder = tempDir('sift-linked-hive-');
  for (const year of [2024, 2025]) {
    fs.mkdirSync(path.join(folder, `year=${year}`));
    await writeParquet(
      path.join(folder, `year=${year}`, 'part-0.parquet'),
      `SELECT range AS id FROM range(${year - 2020})`,
    );
  }
  const outcome = await runJob(host, 'import.run', { path: folder, link: true });
  expect(outcome).toMatchObject({ rows: 9, format: 'parquet', linked: true });
  const byYear = await call(host, 'query.run', {
    queryId: 'hive',
    sql: `SELECT year::INTEGER, count(*)::INTEGER FROM ${outcome.table} GROUP BY ALL ORDER BY 1`,
  });
  expect(byYear.rows).toEqual([
    [2024, 4],
    [2025, 5],
  ]);
});

it("refuses a pattern nothing matches, one without an extension, and one reaching Sift's own folder", async () => {
  const empty = tempDir('sift-linked-empty-');
  expect(await refusal({ path: path.join(empty, '*.csv'), table: 'none' })).toBe(
    `${path.join(empty, '*.csv')}: no file matches.`,
  );
  expect(await refusal({ path: path.join(empty, 'part-*'), table: 'none' })).toContain("names its files' extension");
  expect(await refusal({ path: path.join(host.workspace.dir, '.sift', '*.parquet'), table: 'none' })).toContain(
    "reaches Sift's own folder",
  );
  // Copying (not linking) a pattern stays refused: an import reads the one file named.
  const copied = await jobOutcomeOf(host, 'import.run', { path: path.join(empty, '*.csv') });
  expect(copied.ok).toBe(false);
});

it('keeps a confined host (browser mode) to its folders', async () => {
  const outside = tempDir('sift-linked-outside-');
  fs.writeFileSync(path.join(outside, 'a.csv'), 'id\n1\n');
  const confined = await Host.open(tempDir('sift-linked-ws-'), {
    create: true,
    remember: false,
    fileAccess: { kind: 'confined', folders: [] },
  });
  try {
    expect(await refusal({ path: path.join(outside, '*.csv'), table: 'x' }, confined)).toMatch(/path:/);
    expect(await refusal({ path: outside, table: 'x' }, confined)).toMatch(/path:/);
  } finally {
    await confined.close();
  }
});
