/**
 * Sift's store (`.sift/store.duckdb`): its tables, and where Sift's own data lives (the layout recorded in it), with
 * the one-time move of that data out of workspaces made before the store existed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LABEL_EVENT_COLUMNS } from '../../../shared/canonical.js';
import { SIFT_DIR } from './layout.js';
import { quoteIdent, quoteLiteral } from './sqlQuote.js';

/** What of a workspace the store's set-up uses (workspace.ts's Workspace). */
export interface StoreOwner {
  readonly dir: string;
  withStore<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  refreshLabelSnapshot(): Promise<void>;
}

/**
 * The media registry (docs/media.md): each file an item carries (copied into .sift/media/originals/<sha256>.<ext>)
 * and the perceptual hashes of its pictures (frame 0 for an image, the keyframe index for a video; 16 hex chars).
 */
const MEDIA_STORE_DDL = `
  CREATE TABLE IF NOT EXISTS media_files (
    content_id VARCHAR NOT NULL, position INTEGER NOT NULL, sha256 VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    format VARCHAR NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, frames INTEGER NOT NULL,
    duration_s DOUBLE, bytes BIGINT NOT NULL, source_path VARCHAR NOT NULL, status VARCHAR NOT NULL, error VARCHAR,
    registered_at TIMESTAMP NOT NULL, PRIMARY KEY (content_id, position));
  CREATE TABLE IF NOT EXISTS media_hashes (sha256 VARCHAR NOT NULL, frame INTEGER NOT NULL, phash VARCHAR NOT NULL,
    PRIMARY KEY (sha256, frame));`;

/**
 * Image embeddings made from media by an image encoder (docs/media.md): one per file (SHA-256) and encoder version
 * (its content hash), so a reposted file is encoded once and a changed encoder encodes again.
 */
const IMAGE_EMBEDDINGS_DDL = `
  CREATE TABLE IF NOT EXISTS image_embeddings (
    sha256 VARCHAR NOT NULL, encoder VARCHAR NOT NULL, encoder_version VARCHAR NOT NULL, encoder_hash VARCHAR NOT NULL,
    embedding FLOAT[] NOT NULL, computed_at TIMESTAMP NOT NULL, PRIMARY KEY (sha256, encoder_hash));`;

const LABEL_EVENTS_DDL = `CREATE TABLE IF NOT EXISTS label_events (${LABEL_EVENT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})`;

/** Sift's own tables (idempotent: run on every open, so a store from an earlier release gains what it lacks). */
export const STORE_DDL = `
  CREATE TABLE IF NOT EXISTS imports (
    table_name VARCHAR PRIMARY KEY, path VARCHAR, format VARCHAR, linked BOOLEAN, rows BIGINT, imported_at TIMESTAMP);
  CREATE TABLE IF NOT EXISTS column_mappings (
    source_table VARCHAR, canonical_table VARCHAR PRIMARY KEY, columns_json VARCHAR, saved_at TIMESTAMP);
  CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, description VARCHAR,
    folder VARCHAR, sql VARCHAR NOT NULL, last_values_json VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP, chart_json VARCHAR);
  ALTER TABLE reports ADD COLUMN IF NOT EXISTS chart_json VARCHAR;
  ALTER TABLE reports ADD COLUMN IF NOT EXISTS pinned_at TIMESTAMP;
  ${LABEL_EVENTS_DDL};
  CREATE TABLE IF NOT EXISTS store_layout (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
  CREATE TABLE IF NOT EXISTS dataset_versions (
    dir VARCHAR NOT NULL, name VARCHAR NOT NULL, version INTEGER NOT NULL, created_at VARCHAR NOT NULL,
    manifest_sha256 VARCHAR NOT NULL, card_sha256 VARCHAR NOT NULL, recorded_at TIMESTAMP);
  ${MEDIA_STORE_DDL}
  ${IMAGE_EMBEDDINGS_DDL}`;

/**
 * Where Sift's own data lives, as recorded in the store (`store_layout`, key `sift_data`):
 *   - `store`: in the store. Final: the user's database is never read for Sift's data again.
 *   - `legacy`: a store made beside a database from before the store existed; that database's `sift` schema and
 *     `label_events` table are Sift's, to be copied across once (nobody has run SQL on this release there yet).
 *   - `legacy-copied`: copied (in the same store transaction that recorded this); the old copies are still to drop.
 */
export type StoreLayout = 'store' | 'legacy' | 'legacy-copied';
const LAYOUT_KEY = 'sift_data';

/**
 * The layout recorded in the store. A store without a record is either blank — just made, so `legacy` when a
 * database was here before it, else `store` — or from a release before the record, which had moved Sift's data
 * already (`store`). The record is written with Sift's tables, in one transaction: a kill leaves a blank store.
 */
export async function storeLayout(workspace: StoreOwner, databaseExisted: boolean): Promise<StoreLayout> {
  return workspace.withStore(async (conn) => {
    const recorded = await conn.runAndReadAll(`SELECT value FROM store_layout WHERE key = '${LAYOUT_KEY}'`).then(
      (reader) => reader.getRowsJson()[0]?.[0] as StoreLayout | undefined,
      () => undefined, // no such table yet
    );
    if (recorded !== undefined) return recorded;
    const blank =
      Number(
        (
          await conn.runAndReadAll('SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()')
        ).getRowsJson()[0]![0],
      ) === 0;
    const layout: StoreLayout = blank && databaseExisted ? 'legacy' : 'store';
    await conn.run(
      `BEGIN TRANSACTION; ${STORE_DDL}; INSERT INTO store_layout VALUES ('${LAYOUT_KEY}', '${layout}'); COMMIT`,
    );
    return layout;
  });
}

/**
 * Workspaces made before Sift's own data moved to its store kept it in workspace.duckdb (a `sift` schema and a
 * `label_events` table). Runs only while the store's record says so (see StoreLayout): copies it across once,
 * through Parquet files in the store's folder, recording `legacy-copied` in the same store transaction, then drops
 * the old copies and records `store`. From then on the user's database is never read for Sift's data.
 */
export async function migrateFromSingleDatabase(
  conn: DuckDBConnection,
  workspace: StoreOwner,
  layout: Exclude<StoreLayout, 'store'>,
): Promise<void> {
  const record = (value: StoreLayout) => `UPDATE store_layout SET value = '${value}' WHERE key = '${LAYOUT_KEY}'`;
  if (layout === 'legacy') {
    const old = (
      await conn.runAndReadAll(`
      SELECT schema_name, table_name FROM duckdb_tables()
      WHERE database_name = current_database()
        AND ((schema_name = 'sift' AND table_name IN ('imports', 'column_mappings', 'reports')) OR (schema_name = 'main' AND table_name = 'label_events'))`)
    ).getRowsJson() as [string, string][];
    const moved = path.join(workspace.dir, SIFT_DIR, 'migrate');
    fs.mkdirSync(moved, { recursive: true });
    try {
      for (const [schema, table] of old) {
        await conn.run(
          `COPY ${quoteIdent(schema)}.${quoteIdent(table)} TO ${quoteLiteral(path.join(moved, `${table}.parquet`))} (FORMAT parquet)`,
        );
      }
      await workspace.withStore(async (store) => {
        await store.run('BEGIN TRANSACTION');
        try {
          for (const [, table] of old) {
            const file = quoteLiteral(path.join(moved, `${table}.parquet`));
            // The columns both sides have: the old release's tables lack ones added since.
            const columns = (
              await store.runAndReadAll(
                `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND table_name = $table
                   AND column_name IN (SELECT name FROM parquet_schema(${file})) ORDER BY column_index`,
                { table },
              )
            )
              .getRowsJson()
              .map(([name]) => quoteIdent(String(name)));
            await store.run(`DELETE FROM ${quoteIdent(table)}`);
            await store.run(
              `INSERT INTO ${quoteIdent(table)} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM read_parquet(${file})`,
            );
          }
          await store.run(record('legacy-copied'));
          await store.run('COMMIT');
        } catch (error) {
          await store.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    } finally {
      fs.rmSync(moved, { recursive: true, force: true });
    }
  }
  await conn.run('BEGIN TRANSACTION');
  await conn.run('DROP SCHEMA IF EXISTS sift CASCADE');
  await conn.run('DROP TABLE IF EXISTS main.label_events');
  await conn.run('COMMIT');
  await workspace.withStore((store) => store.run(record('store')));
  await workspace.refreshLabelSnapshot();
}
