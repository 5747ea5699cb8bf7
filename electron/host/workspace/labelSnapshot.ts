/**
 * SQL's read-only copy of the label events (`.sift/label_events.parquet`): rewritten from Sift's store after labels
 * change, and checked against the store when a workspace opens.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LABEL_EVENT_COLUMNS } from '../../../shared/canonical.js';
import { renameDurably } from './layout.js';
import { quoteLiteral } from './sqlQuote.js';

/** What of a workspace the snapshot reads (workspace.ts's Workspace). */
export interface StoreReader {
  withStore<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
}

let snapshotWrites = 0;

/** Rewrites the read-only copy of the label events that SQL sees (temporary file, then a durable rename). */
export async function writeLabelSnapshot(store: StoreReader, target: string): Promise<void> {
  // One name per rewrite: a repair and a labeling sync may overlap.
  const partial = `${target}.${process.pid}.${++snapshotWrites}.partial`;
  try {
    await store.withStore((conn) =>
      conn.run(
        `COPY (SELECT ${LABEL_EVENT_COLUMNS.map(([name]) => name).join(', ')} FROM label_events ORDER BY seq NULLS FIRST, created_at, event_id) TO ${quoteLiteral(partial)} (FORMAT parquet, USE_TMP_FILE false)`,
      ),
    );
    renameDurably(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/**
 * SQL's copy of the labels against its source, the store (label events are only ever added, so equal counts
 * mean equal copies): a kill between the store's commit and the rename leaves it behind, a disk can damage it.
 * What a killed rewrite left half-written beside it goes (one process holds a workspace at a time).
 */
export async function checkLabelSnapshot(
  store: StoreReader,
  target: string,
): Promise<'current' | 'not made yet' | 'missing' | 'damaged' | 'behind the store'> {
  const prefix = `${path.basename(target)}.`;
  for (const name of fs.readdirSync(path.dirname(target))) {
    if (name.startsWith(prefix) && name.endsWith('.partial'))
      fs.rmSync(path.join(path.dirname(target), name), { force: true });
  }
  return store.withStore(async (conn) => {
    const stored = Number((await conn.runAndReadAll('SELECT count(*) FROM label_events')).getRowsJson()[0]![0]);
    if (!fs.existsSync(target)) return stored === 0 ? 'not made yet' : 'missing';
    let copied: number;
    try {
      // The footer alone: a truncated or overwritten file fails here.
      copied = Number(
        (
          await conn.runAndReadAll(`SELECT sum(num_rows) FROM parquet_file_metadata(${quoteLiteral(target)})`)
        ).getRowsJson()[0]![0],
      );
    } catch {
      return 'damaged';
    }
    return copied === stored ? 'current' : 'behind the store';
  });
}
