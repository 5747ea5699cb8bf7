/**
 * A workspace is a folder. Three DuckDB instances serve it, so that no SQL a user types can reach what Sift owns:
 *   - the data engine, `workspace.duckdb`: the user's tables. Editor SQL, reports and features run here, with its
 *     file access confined by DuckDB's own settings and its configuration locked;
 *   - Sift's store, `.sift/store.duckdb`: reports, import and mapping bookkeeping, label events. Only Sift's own code
 *     ever holds a connection to it;
 *   - the results store (in memory): query results kept for paging, sorting and export, out of the user's reach.
 * Labels reach the data engine as a read-only snapshot (`.sift/label_events.parquet`) behind a per-connection view,
 * so `SELECT … FROM label_events` works while DELETE, UPDATE, INSERT and DROP cannot touch the labels themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CURRENT_LABELS_SQL, LABEL_EVENT_COLUMNS, SIFT_VIEWS } from '../../../shared/canonical.js';
import type { Settings, TableInfo, WorkspaceInfo } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { contentFeaturesSql, FEATURE_VIEW, type FeatureSources } from '../../../shared/features.js';
import { workspaceOpenError } from './duckdbErrors.js';

export const DATABASE_FILE = 'workspace.duckdb';
import {
  checkReadableFile,
  checkReadableFolder,
  type FileAccess,
  isInside,
  realPathOf,
  refuseInsideDatasetVersion,
} from './fileAccess.js';
import { SIFT_DIR, writeFileAtomic } from './layout.js';
import { reachIsStale, sqlReach, type SqlReach } from './sqlReach.js';
import { quoteIdent, quoteLiteral } from './sqlQuote.js';
import { migrateFromSingleDatabase, STORE_DDL, storeLayout } from './storeLayout.js';
import { checkLabelSnapshot, writeLabelSnapshot } from './labelSnapshot.js';
import { listTables } from './tableList.js';

export { SIFT_DIR, writeFileAtomic };
const STORE_FILE = 'store.duckdb';
const LABEL_SNAPSHOT = 'label_events.parquet';
const SETTINGS_FILE = 'settings.json';
const TEMP_DIR = '.tmp';
const EXPORTS_DIR = 'exports';
const UPLOADS_DIR = 'uploads';
const DEFAULT_SETTINGS: Settings = { allowWrites: false };

export { quoteIdent, quoteLiteral };

/**
 * What SQL in the data engine and the host may read. `any`: the CLI. `confined`: browser mode and the desktop
 * window: only the workspace and the folders the person who started it named (fileAccess.ts decides the rest).
 */
export type { FileAccess };

/** The forms of the feature view, richest first; a workspace without moderation actions gets the second. */
const FEATURE_FORMS: FeatureSources[] = [{ moderationActions: true }, { moderationActions: false }];

export class Workspace {
  private closed = false;
  /** What SQL may open, as set on the data engine; null until the workspace has opened. */
  private reach: SqlReach | null = null;
  /** Connections to the data engine open now, and the chain that reopens it between them. */
  private openConnections = 0;
  private reopening: Promise<void> = Promise.resolve();
  private results: Promise<DuckDBInstance> | null = null;
  /** The feature view's form on the latest connection; null when none bound. */
  private featureForm: FeatureSources | null = null;
  /** Why the feature view is missing (DuckDB's binder message), when it is. */
  featureViewProblem: string | null = null;

  private constructor(
    readonly dir: string,
    private instance: DuckDBInstance,
    private readonly storeInstance: DuckDBInstance,
    readonly fileAccess: FileAccess,
  ) {}

  /** Opens (creating when asked) the workspace in `dir`. */
  static async open(dir: string, options: { create?: boolean; fileAccess?: FileAccess } = {}): Promise<Workspace> {
    const resolved = path.resolve(dir);
    const dbPath = path.join(resolved, DATABASE_FILE);
    if (!fs.existsSync(dbPath) && !options.create) {
      throw new SiftError({
        code: 'WORKSPACE_MISSING',
        message: isNewOrEmptyFolder(resolved)
          ? `${resolved} is not a Sift workspace (no ${DATABASE_FILE}). Create an empty one with: sift init --workspace ${resolved} (or the sample data with: sift sample --workspace ${resolved})`
          : `${resolved} is not a Sift workspace (no ${DATABASE_FILE}), and it holds other files. Create a workspace in a new or empty folder: sift init --workspace NEW_FOLDER`,
        file: resolved,
      });
    }
    if (!fs.existsSync(dbPath)) refuseInsideDatasetVersion(resolved, 'workspace');
    // Whether this folder held a database before this open: only then can there be Sift data from the old layout.
    const databaseExisted = fs.existsSync(dbPath);
    // The folders Sift writes into for the user exist from the start: SQL's reach is fixed when the workspace opens.
    for (const folder of [TEMP_DIR, SIFT_DIR, EXPORTS_DIR, UPLOADS_DIR])
      fs.mkdirSync(path.join(resolved, folder), { recursive: true });
    const fileAccess = options.fileAccess ?? { kind: 'any' };
    // Both databases open at once (a CLI call pays for the slower one, not the sum); if one fails, the other closes.
    const [opened, openedStore] = await Promise.allSettled([
      openDataEngine(resolved),
      DuckDBInstance.create(path.join(resolved, SIFT_DIR, STORE_FILE)),
    ]);
    if (opened.status === 'rejected' || openedStore.status === 'rejected') {
      if (opened.status === 'fulfilled') opened.value.closeSync();
      if (openedStore.status === 'fulfilled') openedStore.value.closeSync();
      throw workspaceOpenError(
        opened.status === 'rejected' ? opened.reason : (openedStore as PromiseRejectedResult).reason,
        resolved,
      );
    }
    const instance = opened.value;
    const store = openedStore.value;
    const workspace = new Workspace(resolved, instance, store, fileAccess);
    try {
      await workspace.initialise(databaseExisted);
    } catch (error) {
      instance.closeSync();
      store.closeSync();
      throw error;
    }
    return workspace;
  }

  private async initialise(databaseExisted: boolean): Promise<void> {
    const layout = await storeLayout(this, databaseExisted);
    await this.withStore((conn) => conn.run(STORE_DDL));
    const addedColumns = await this.withStore(async (conn) => {
      // Workspaces made before labeling sessions lack the action, leaf, note, undo and strategy columns.
      // The columns of an empty read: no catalog function, which costs a CLI start ~15 ms on a fresh instance.
      const before = (await conn.run('SELECT * FROM label_events LIMIT 0')).columnCount;
      if (before >= LABEL_EVENT_COLUMNS.length) return false; // the usual case: nothing to do on every open
      for (const [name, type] of LABEL_EVENT_COLUMNS)
        await conn.run(`ALTER TABLE label_events ADD COLUMN IF NOT EXISTS ${name} ${type}`);
      return true;
    });
    const setup = await this.instance.connect();
    try {
      if (layout !== 'store') await migrateFromSingleDatabase(setup, this, layout);
      const snapshot = await checkLabelSnapshot(this, this.labelSnapshotPath());
      if (snapshot !== 'current' && snapshot !== 'not made yet')
        notice(`SQL's copy of the labels (${this.labelSnapshotPath()}) was ${snapshot}; rebuilt from Sift's store.`);
      if (addedColumns || snapshot !== 'current') await this.refreshLabelSnapshot();
      await this.confine(setup);
    } finally {
      setup.closeSync();
    }
  }

  /**
   * What SQL may open (sqlReach.ts): the file system (the CLI) or the workspace and the named folders — never
   * Sift's own folder, but for the label snapshot its views read. Locked from here on: no statement, Sift's or the
   * user's, can widen file access or change a setting.
   */
  private async confine(conn: DuckDBConnection): Promise<void> {
    const roots = this.fileAccess.kind === 'any' ? [path.parse(this.dir).root] : [this.dir, ...this.fileAccess.folders];
    const database = path.join(this.dir, DATABASE_FILE); // the database, its WAL (.wal) and its spill folder (.tmp)
    this.reach = sqlReach(
      roots,
      [path.join(this.dir, SIFT_DIR)],
      [this.labelSnapshotPath()],
      (entry) => entry === database || entry.startsWith(`${database}.`),
    );
    const list = (entries: string[]) => `[${entries.map(quoteLiteral).join(', ')}]`;
    await conn.run(`SET allowed_directories = ${list(this.reach.directories)}`);
    await conn.run(`SET allowed_paths = ${list(this.reach.paths)}`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
  }

  /**
   * DuckDB's allow-lists are fixed once set, so an entry made since in a folder allowed entry by entry (a new
   * folder beside the workspace, a file dropped into it) is out of reach until the data engine opens again: done
   * here, at a moment no connection to it is open (a result still streaming keeps its connection, and the engine).
   */
  private async refreshReach(): Promise<void> {
    if (this.openConnections > 0 || !this.reach || !(await reachIsStale(this.reach))) return;
    if (this.openConnections > 0) return; // one opened while the folders were read
    this.instance.closeSync();
    this.instance = await openDataEngine(this.dir);
    const setup = await this.instance.connect();
    try {
      await this.confine(setup);
    } finally {
      setup.closeSync();
    }
  }

  /** A connection to the data engine, counted while open (see refreshReach). */
  private async engineConnection(): Promise<DuckDBConnection> {
    this.assertOpen();
    const previous = this.reopening;
    const turn = previous.then(() => this.refreshReach());
    this.reopening = turn.catch(() => undefined);
    await turn;
    this.openConnections++;
    let conn: DuckDBConnection;
    try {
      conn = await this.instance.connect();
    } catch (error) {
      this.openConnections--;
      throw error;
    }
    const close = conn.closeSync.bind(conn);
    let closed = false;
    conn.closeSync = () => {
      if (!closed) {
        closed = true;
        this.openConnections--;
      }
      close();
    };
    return conn;
  }

  labelSnapshotPath(): string {
    return path.join(this.dir, SIFT_DIR, LABEL_SNAPSHOT);
  }

  /** Rewrites the read-only copy of the label events that SQL sees (labelSnapshot.ts). */
  refreshLabelSnapshot(): Promise<void> {
    return writeLabelSnapshot(this, this.labelSnapshotPath());
  }

  /** A connection to the data engine, with Sift's read-only views in its temporary catalog. */
  async connect(): Promise<DuckDBConnection> {
    const conn = await this.engineConnection();
    try {
      await this.installSiftViews(conn);
    } catch (error) {
      conn.closeSync();
      throw error;
    }
    return conn;
  }

  /**
   * The temporary catalog is searched first and belongs to one connection alone: what a user drops or replaces
   * there is gone when the connection closes, and the snapshot file behind the view is never written by SQL.
   */
  async installSiftViews(conn: DuckDBConnection): Promise<void> {
    const labelView = `CREATE OR REPLACE TEMP VIEW label_events AS SELECT * FROM read_parquet(${quoteLiteral(this.labelSnapshotPath())})`;
    try {
      await conn.run(labelView);
    } catch (error) {
      // The copy was damaged or removed while the workspace was open: it is derived data, so it is made again.
      notice(
        `SQL's copy of the labels (${this.labelSnapshotPath()}) could not be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); rebuilt from Sift's store.`,
      );
      await this.refreshLabelSnapshot();
      await conn.run(labelView);
    }
    await conn.run(`CREATE OR REPLACE TEMP VIEW current_labels AS ${CURRENT_LABELS_SQL}`);
    await this.installFeatureView(conn);
  }

  /**
   * The account features as of each upload, over the canonical tables — present only while content and users
   * exist with the columns it reads (an empty workspace has no such view, and says why when asked).
   */
  private async installFeatureView(conn: DuckDBConnection): Promise<void> {
    // Richest first on every connection: moderation actions imported since the last connection count at once.
    for (const form of FEATURE_FORMS) {
      try {
        await conn.run(`CREATE OR REPLACE TEMP VIEW ${FEATURE_VIEW} AS ${contentFeaturesSql(form)}`);
        this.featureForm = form;
        this.featureViewProblem = null;
        return;
      } catch (error) {
        // The richest form's failure names what is missing best (e.g. content lacks user_id).
        if (form === FEATURE_FORMS[0])
          this.featureViewProblem = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      }
    }
    this.featureForm = null;
  }

  /** The feature sources in force on this workspace's connections (null: no feature view). */
  get featureSources(): FeatureSources | null {
    return this.featureForm;
  }

  /** Runs `work` on a fresh data-engine connection and closes it afterwards. */
  async withConnection<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return closing(await this.connect(), work);
  }

  /** Runs `work` on Sift's own store. Never hand this connection user SQL. */
  async withStore<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.assertOpen();
    return closing(await this.storeInstance.connect(), work);
  }

  /** A connection to the in-memory results store (created on first use). Never hand it user SQL. */
  async resultsConnection(): Promise<DuckDBConnection> {
    this.assertOpen();
    // One promise, so two first calls at once share one instance (a second would lose the first's results).
    this.results ??= DuckDBInstance.create(':memory:', { temp_directory: path.join(this.dir, TEMP_DIR) });
    return (await this.results).connect();
  }

  async withResults<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return closing(await this.resultsConnection(), work);
  }

  private assertOpen(): void {
    if (this.closed) throw new SiftError({ code: 'WORKSPACE_MISSING', message: `Workspace ${this.dir} is closed.` });
  }

  get name(): string {
    return path.basename(this.dir);
  }

  async info(): Promise<WorkspaceInfo> {
    // From the catalog alone: the info call must stay trivial, never a scan of every table. Sift's views are on
    // every connection, so they are counted, not installed (installing reads the label snapshot's metadata).
    this.assertOpen();
    const userTables = await closing(await this.engineConnection(), async (conn) =>
      Number(
        (
          await conn.runAndReadAll(
            `SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main'`,
          )
        ).getRowsJson()[0]![0],
      ),
    );
    const tableCount = userTables + SIFT_VIEWS.length;
    const files = fs.readdirSync(this.dir).filter((file) => !file.startsWith('.') && !file.startsWith(DATABASE_FILE));
    return { path: this.dir, name: this.name, tableCount, files };
  }

  /** Every table and view SQL sees, with its columns and (never by a scan) its row count: tableList.ts. */
  listTables(): Promise<TableInfo[]> {
    return listTables(this);
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
      return { ...DEFAULT_SETTINGS, allowWrites: stored.allowWrites === true };
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
    const dir = path.join(this.dir, EXPORTS_DIR);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  uploadsDir(): string {
    const dir = path.join(this.dir, UPLOADS_DIR);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  tempDir(): string {
    return path.join(this.dir, TEMP_DIR);
  }

  /** True for the files Sift keeps the workspace in: overwriting one would lose data. */
  isOwnFile(target: string): boolean {
    const real = realPathOf(target);
    const root = realPathOf(this.dir);
    const own = (name: string) => real === path.join(root, name) || real.startsWith(path.join(root, name) + path.sep);
    return (
      own(SIFT_DIR) ||
      own(TEMP_DIR) ||
      own(SETTINGS_FILE) ||
      own(DATABASE_FILE) ||
      real.startsWith(path.join(root, DATABASE_FILE) + '.')
    );
  }

  /**
   * Where a file Sift writes for the user (an export) may go: never over the workspace's own files, never into a
   * dataset version (fileAccess.ts), never onto a folder, and in confined mode only into the exports folder or a
   * folder named when the server started.
   */
  checkExportTarget(target: string, field: string): string {
    const resolved = path.resolve(target);
    if (this.isOwnFile(resolved)) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${field}: ${resolved} is one of the workspace's own files; choose a path outside ${path.join(this.dir, SIFT_DIR)}, ${DATABASE_FILE} and settings.`,
        file: resolved,
      });
    }
    refuseInsideDatasetVersion(resolved, field);
    if (fs.existsSync(resolved) && !fs.statSync(resolved).isFile()) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${field}: ${resolved} is a folder (or not a regular file); name a file to write.`,
        file: resolved,
      });
    }
    if (this.fileAccess.kind === 'confined') {
      if (!isInside(resolved, [this.exportsDir(), ...this.fileAccess.folders])) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${field}: in browser mode Sift writes exports only into ${this.exportsDir()} or a folder given to sift serve --folder.`,
          file: resolved,
        });
      }
    }
    return resolved;
  }

  /** A file (or folder) the host is asked to read: in reach (confined: the workspace or a named folder), and of that kind. */
  checkReadable(file: string, field: string, kind: 'file' | 'folder' = 'file'): string {
    return kind === 'file'
      ? checkReadableFile(this.dir, this.fileAccess, file, field)
      : checkReadableFolder(this.dir, this.fileAccess, file, field);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.instance.closeSync();
    this.storeInstance.closeSync();
    (await this.results)?.closeSync();
  }
}

function openDataEngine(dir: string): Promise<DuckDBInstance> {
  return DuckDBInstance.create(path.join(dir, DATABASE_FILE), {
    temp_directory: path.join(dir, TEMP_DIR),
    autoinstall_known_extensions: 'false',
  });
}

/** Says on stderr (the terminal, or the app's log) that Sift repaired something on its own. */
function notice(message: string): void {
  console.error(`sift: ${message}`);
}

async function closing<T>(conn: DuckDBConnection, work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  try {
    return await work(conn);
  } finally {
    conn.closeSync();
  }
}

/** Whether `dir` can take a new workspace: it does not exist yet, or it is an empty folder. */
export function isNewOrEmptyFolder(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  return fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length === 0;
}

/**
 * A new, empty workspace for the user's own data: Sift's own tables and the policy, no sample data. Refuses a folder
 * that holds anything already (a workspace is never made over other files, or over another workspace).
 */
export async function createEmptyWorkspace(dir: string, fileAccess?: FileAccess): Promise<Workspace> {
  const resolved = path.resolve(dir);
  if (fs.existsSync(path.join(resolved, DATABASE_FILE))) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${resolved} already holds a Sift workspace; open it instead.`,
      file: resolved,
    });
  }
  if (!isNewOrEmptyFolder(resolved)) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${resolved} is not empty; a new workspace goes in a new or empty folder.`,
      file: resolved,
    });
  }
  return Workspace.open(resolved, { create: true, fileAccess });
}
