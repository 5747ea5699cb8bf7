/**
 * A workspace is a folder holding workspace.duckdb plus the files Sift writes (settings, exports, incidents).
 * One DuckDB instance per open workspace; every piece of host work takes its own connection from it, so a
 * query can be interrupted without touching the others.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { INTERNAL_SCHEMA, PROTECTED_TABLES, RESULTS_DATABASE } from '../../shared/canonical.js';
import type { Settings, TableInfo, WorkspaceInfo } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import { workspaceOpenError } from './duckdbErrors.js';

export const DATABASE_FILE = 'workspace.duckdb';
const SETTINGS_FILE = 'settings.json';
const DEFAULT_SETTINGS: Settings = { allowWrites: false };

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const quoteLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

export class Workspace {
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly instance: DuckDBInstance,
  ) {}

  /** Opens (creating when asked) the workspace in `dir`. */
  static async open(dir: string, options: { create?: boolean } = {}): Promise<Workspace> {
    const resolved = path.resolve(dir);
    const dbPath = path.join(resolved, DATABASE_FILE);
    if (!fs.existsSync(dbPath) && !options.create) {
      throw new SiftError({
        code: 'WORKSPACE_MISSING',
        message: `${resolved} is not a Sift workspace (no ${DATABASE_FILE}). Create one with: sift sample --workspace ${resolved}`,
        file: resolved,
      });
    }
    fs.mkdirSync(path.join(resolved, '.tmp'), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(dbPath, { temp_directory: path.join(resolved, '.tmp') });
    } catch (error) {
      throw workspaceOpenError(error, resolved);
    }
    const workspace = new Workspace(resolved, instance);
    await workspace.initialise();
    return workspace;
  }

  private async initialise(): Promise<void> {
    const conn = await this.connect();
    try {
      await conn.run(`
        CREATE SCHEMA IF NOT EXISTS ${INTERNAL_SCHEMA};
        CREATE TABLE IF NOT EXISTS ${INTERNAL_SCHEMA}.imports (
          table_name VARCHAR PRIMARY KEY, path VARCHAR, format VARCHAR, linked BOOLEAN, rows BIGINT, imported_at TIMESTAMP);
        CREATE TABLE IF NOT EXISTS ${INTERNAL_SCHEMA}.column_mappings (
          source_table VARCHAR, canonical_table VARCHAR PRIMARY KEY, columns_json VARCHAR, saved_at TIMESTAMP);
        CREATE SEQUENCE IF NOT EXISTS ${INTERNAL_SCHEMA}.report_ids;
        CREATE TABLE IF NOT EXISTS ${INTERNAL_SCHEMA}.reports (
          id INTEGER PRIMARY KEY DEFAULT nextval('${INTERNAL_SCHEMA}.report_ids'), name VARCHAR NOT NULL, description VARCHAR,
          folder VARCHAR, sql VARCHAR NOT NULL, last_values_json VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP);
        CREATE TABLE IF NOT EXISTS label_events (
          event_id VARCHAR, session_id VARCHAR, content_id VARCHAR, annotator_id VARCHAR, category VARCHAR,
          value VARCHAR, policy_version VARCHAR, kind VARCHAR, created_at TIMESTAMP);
        ATTACH IF NOT EXISTS ':memory:' AS ${RESULTS_DATABASE};
      `);
    } finally {
      conn.closeSync();
    }
  }

  async connect(): Promise<DuckDBConnection> {
    if (this.closed) throw new SiftError({ code: 'WORKSPACE_MISSING', message: `Workspace ${this.dir} is closed.` });
    return this.instance.connect();
  }

  /** Runs `work` on a fresh connection and closes it afterwards. */
  async withConnection<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.connect();
    try {
      return await work(conn);
    } finally {
      conn.closeSync();
    }
  }

  get name(): string {
    return path.basename(this.dir);
  }

  async info(): Promise<WorkspaceInfo> {
    const tables = await this.listTables();
    const files = fs.readdirSync(this.dir).filter((file) => !file.startsWith('.') && !file.startsWith(DATABASE_FILE));
    return { path: this.dir, name: this.name, tableCount: tables.length, files };
  }

  async listTables(): Promise<TableInfo[]> {
    return this.withConnection(async (conn) => {
      const tablesReader = await conn.runAndReadAll(`
        SELECT table_name AS name, CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind
        FROM information_schema.tables
        WHERE table_catalog = current_database() AND table_schema = 'main'
        ORDER BY table_name`);
      const columnsReader = await conn.runAndReadAll(`
        SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_catalog = current_database() AND table_schema = 'main'
        ORDER BY table_name, ordinal_position`);
      const importsReader = await conn.runAndReadAll(`SELECT table_name, path, linked, strftime(imported_at, '%Y-%m-%dT%H:%M:%S') AS imported_at FROM ${INTERNAL_SCHEMA}.imports`);
      const mappingsReader = await conn.runAndReadAll(`SELECT source_table, canonical_table FROM ${INTERNAL_SCHEMA}.column_mappings`);
      const columnsByTable = new Map<string, { name: string; type: string }[]>();
      for (const row of columnsReader.getRowObjectsJson()) {
        const list = columnsByTable.get(String(row.table_name)) ?? [];
        list.push({ name: String(row.column_name), type: String(row.data_type) });
        columnsByTable.set(String(row.table_name), list);
      }
      const imports = new Map(importsReader.getRowObjectsJson().map((row) => [String(row.table_name), row]));
      const mappedTo = new Map(mappingsReader.getRowObjectsJson().map((row) => [String(row.source_table), String(row.canonical_table)]));
      const tables: TableInfo[] = [];
      for (const row of tablesReader.getRowObjectsJson()) {
        const name = String(row.name);
        let rowCount: number | null = null;
        try {
          const count = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${quoteIdent(name)}`);
          rowCount = Number(count.getRowsJson()[0]?.[0] ?? 0);
        } catch {
          rowCount = null; // a linked view whose file moved away still lists, with an unknown count
        }
        const imported = imports.get(name);
        tables.push({
          name,
          kind: row.kind === 'view' ? 'view' : 'table',
          rowCount,
          columns: columnsByTable.get(name) ?? [],
          protected: (PROTECTED_TABLES as readonly string[]).includes(name),
          source: imported
            ? { path: String(imported.path), linked: Boolean(imported.linked), importedAt: String(imported.imported_at) }
            : undefined,
          mappedTo: mappedTo.get(name),
        });
      }
      return tables;
    });
  }

  async tableExists(name: string): Promise<boolean> {
    return this.withConnection(async (conn) => {
      const reader = await conn.runAndReadAll(
        `SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main' AND lower(table_name) = lower($name)`,
        { name },
      );
      return Number(reader.getRowsJson()[0]?.[0]) > 0;
    });
  }

  readSettings(): Settings {
    try {
      const stored = JSON.parse(fs.readFileSync(path.join(this.dir, SETTINGS_FILE), 'utf8')) as Partial<Settings>;
      return { ...DEFAULT_SETTINGS, ...stored };
    } catch {
      return { ...DEFAULT_SETTINGS };
    }
  }

  writeSettings(update: Partial<Settings>): Settings {
    const next = { ...this.readSettings(), ...update };
    writeFileAtomic(path.join(this.dir, SETTINGS_FILE), JSON.stringify(next, null, 2));
    return next;
  }

  exportsDir(): string {
    const dir = path.join(this.dir, 'exports');
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  uploadsDir(): string {
    const dir = path.join(this.dir, 'uploads');
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.instance.closeSync();
  }
}

/** Writes through a temporary file and a rename, so readers never see half a file. */
export function writeFileAtomic(target: string, data: string | Buffer): void {
  const tmp = `${target}.${process.pid}.partial`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, target);
}
