/**
 * When the data engine must open again for its allow-lists (sqlReach.ts): when a folder listed entry by entry gains
 * or loses an entry SQL could read — not when the data engine's own files come and go (its WAL appears with every
 * write and goes with the checkpoint) nor when a file is rewritten in place by renaming over it. Reopening for those
 * held every call for the length of a close and an open after each feed ingest (bench/feeds.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { reachIsStale, sqlReach } from '../../electron/host/workspace/sqlReach';
import { tempDir } from './support';

it('is stale for a new or removed entry, never for the data engine’s own files or a file renamed over another', async () => {
  const home = tempDir('sift-reach-stale-');
  const ws = path.join(home, 'ws');
  fs.mkdirSync(path.join(ws, '.sift'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'workspace.duckdb'), '');
  fs.writeFileSync(path.join(ws, 'notes.csv'), 'a\n1\n');
  const database = path.join(ws, 'workspace.duckdb');
  const reach = sqlReach([home], [path.join(ws, '.sift')], [], (entry) => entry.startsWith(`${database}.`));
  expect(reach.enumerated.map((listed) => listed.folder)).toEqual([home, ws]);
  expect(await reachIsStale(reach)).toBe(false);

  // A write and its checkpoint: the WAL comes and goes; DuckDB's spill folder likewise.
  fs.writeFileSync(`${database}.wal`, 'x');
  expect(await reachIsStale(reach)).toBe(false);
  fs.mkdirSync(`${database}.tmp`);
  fs.rmSync(`${database}.wal`);
  fs.rmdirSync(`${database}.tmp`);
  expect(await reachIsStale(reach)).toBe(false);

  // A file rewritten by renaming a new copy over it: the same entries.
  fs.writeFileSync(path.join(ws, 'notes.csv.partial'), 'a\n2\n');
  fs.renameSync(path.join(ws, 'notes.csv.partial'), path.join(ws, 'notes.csv'));
  expect(await reachIsStale(reach)).toBe(false);

  // An entry SQL may read once the lists are made again: in the workspace, and beside it.
  fs.writeFileSync(path.join(ws, 'dropped.csv'), 'a\n3\n');
  expect(await reachIsStale(reach)).toBe(true);
  const again = sqlReach([home], [path.join(ws, '.sift')], [], (entry) => entry.startsWith(`${database}.`));
  expect(again.paths).toContain(path.join(ws, 'dropped.csv'));
  fs.mkdirSync(path.join(home, 'landing'));
  expect(await reachIsStale(again)).toBe(true);
  const third = sqlReach([home], [path.join(ws, '.sift')], [], (entry) => entry.startsWith(`${database}.`));
  fs.rmSync(path.join(ws, 'notes.csv'));
  expect(await reachIsStale(third)).toBe(true);
});
