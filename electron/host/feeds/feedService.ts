/**
 * The folder feeds of the open workspace, as an always-on service (electron/host/alwaysOn.ts). It polls each
 * watched folder; a file matching the feed's pattern whose size and modification time stay unchanged for the settle
 * time is hashed, and then skipped as a duplicate (same content as a file already taken into the table), or appended
 * whole (ingest.ts), or set aside as failed with the file and the problem. One file at a time, on DuckDB's threads:
 * the engine's loop keeps serving calls. Every decision is recorded in the store and emitted on the `feed` channel.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FeedEvent } from '../../../shared/contract.js';
import { feedMatches } from '../../../shared/feedRules.js';
import { SiftError, toErrorInfo } from '../../../shared/errors.js';
import type { HostServices } from '../services.js';
import {
  type Feed,
  fileKey,
  knownFiles,
  listFeeds,
  recordFile,
  type SeenFile,
  settleIngest,
  takenAt,
  takenWithHash,
  unfinishedIngests,
} from './feedStore.js';
import { sha256Of } from './fileHash.js';
import { appendFile, FileChanged, markedRows, pauseForTests } from './ingest.js';

/**
 * After a crash: an ingest the store still calls `ingesting` is taken when its marker committed in the workspace
 * (with its rows), and forgotten when not (its rows never committed; the file is read again). Returns how many of each.
 */
export async function reconcileFeeds(
  host: Pick<HostServices, 'workspace'>,
): Promise<{ taken: number; undone: number }> {
  const unfinished = await unfinishedIngests(host.workspace);
  const marked = await markedRows(
    host.workspace,
    unfinished.map((ingest) => ingest.ingestId),
  );
  for (const { ingestId } of unfinished) await settleIngest(host.workspace, ingestId, marked.get(ingestId) ?? null);
  return { taken: marked.size, undone: unfinished.length - marked.size };
}

/** An always-on service (alwaysOn.ts registers it): start, stop, hasWork. */
export class FeedService {
  readonly name = 'feeds';
  private feeds: Feed[] = [];
  /** Files seen and not yet settled: their size and modification time, and since when unchanged. */
  private readonly pending = new Map<string, { size: number; mtimeMs: number; since: number }>();
  /** Folders whose absence was reported (once until they come back). */
  private readonly missing = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private tick: Promise<void> | null = null;
  private readonly controller = new AbortController();
  private stopped = false;

  constructor(private readonly host: HostServices) {}

  async start(): Promise<void> {
    const { taken, undone } = await reconcileFeeds(this.host);
    if (taken + undone > 0)
      console.error(
        `sift: feeds: ${taken + undone} file(s) were being ingested when Sift stopped: ${taken} had committed (recorded as taken), ${undone} had not (to be read again).`,
      );
    this.feeds = await listFeeds(this.host.workspace);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort();
    await this.tick;
  }

  hasWork(): boolean {
    return this.feeds.length > 0 || this.tick !== null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick = this.poll()
        .catch((error: unknown) => console.error(`sift: feeds: ${toErrorInfo(error).message}`))
        .finally(() => {
          this.tick = null;
          this.schedule(this.pollMs());
        });
    }, delayMs);
  }

  /** A quarter of the shortest settle time, between 50 ms and 500 ms. */
  private pollMs(): number {
    const shortest = Math.min(...this.feeds.map((feed) => feed.settleMs), 2000);
    return Math.max(50, Math.min(500, shortest / 4));
  }

  private async poll(): Promise<void> {
    this.feeds = await listFeeds(this.host.workspace);
    for (const feed of this.feeds) {
      if (this.stopped) return;
      for (const file of await this.settledFiles(feed)) {
        if (this.stopped) return;
        await this.take(feed, file);
      }
    }
  }

  /** The feed's files that have settled and that it has not decided about, oldest first. */
  private async settledFiles(feed: Feed): Promise<{ path: string; size: number; mtimeMs: number }[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(feed.dir);
      this.missing.delete(feed.dir);
    } catch (error) {
      if (!this.missing.has(feed.dir))
        console.error(`sift: feeds: cannot read ${feed.dir} (${toErrorInfo(error).message}); waiting for it.`);
      this.missing.add(feed.dir);
      return [];
    }
    const known = await knownFiles(this.host.workspace, feed.dir);
    const now = Date.now();
    const settled: { path: string; size: number; mtimeMs: number }[] = [];
    for (const name of names) {
      if (!feedMatches(feed.pattern, name)) continue;
      const file = path.join(feed.dir, name);
      const stat = await fs.promises.stat(file).catch(() => null);
      // An empty file is one its writer has only created: it waits.
      if (!stat?.isFile() || stat.size === 0 || known.has(fileKey(file, stat.size, stat.mtimeMs))) {
        this.pending.delete(file);
        continue;
      }
      let seen = this.pending.get(file);
      if (!seen || seen.size !== stat.size || seen.mtimeMs !== stat.mtimeMs) {
        seen = { size: stat.size, mtimeMs: stat.mtimeMs, since: now };
        this.pending.set(file, seen);
      }
      // Unchanged since its last write (every write moves the modification time), or since this feed first saw it
      // so, whichever is earlier: a file dropped in whole is not kept waiting a settle time past its last write.
      const quietSince = Math.min(seen.since, stat.mtimeMs);
      if (now - quietSince >= feed.settleMs) settled.push({ path: file, size: stat.size, mtimeMs: stat.mtimeMs });
    }
    return settled.sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
  }

  private async take(feed: Feed, stat: { path: string; size: number; mtimeMs: number }): Promise<void> {
    const workspace = this.host.workspace;
    this.pending.delete(stat.path);
    let sha256: string;
    try {
      sha256 = await sha256Of(stat.path);
    } catch {
      return; // gone or unreadable now: seen again on the next poll if it is still there
    }
    const file: SeenFile = { ...stat, sha256 };
    const before = await takenAt(workspace, feed.dir, stat.path);
    if (before !== null) {
      // Each file is taken once: rows added to a file already taken would arrive twice if it were read again.
      const error = `${stat.path}: changed after it was taken (${before} row${before === 1 ? '' : 's'}); a feed takes each file once, so new rows belong in a new file.`;
      await recordFile(workspace, randomUUID(), feed, file, 'failed', { error });
      console.error(`sift: feeds: set aside ${error}`);
      this.emit({
        type: 'failed',
        dir: feed.dir,
        path: stat.path,
        table: feed.table,
        rows: null,
        error,
        duplicateOf: null,
      });
      return;
    }
    const duplicateOf = await takenWithHash(workspace, feed.table, sha256);
    if (duplicateOf !== null) {
      await recordFile(workspace, randomUUID(), feed, file, 'duplicate', { duplicateOf });
      console.error(
        `sift: feeds: ${stat.path} not taken: the same content as ${duplicateOf}, already in ${feed.table}.`,
      );
      this.emit({
        type: 'duplicate',
        dir: feed.dir,
        path: stat.path,
        table: feed.table,
        rows: null,
        error: null,
        duplicateOf,
      });
      return;
    }
    const ingestId = randomUUID();
    await recordFile(workspace, ingestId, feed, file, 'ingesting');
    try {
      await appendFile(workspace, feed, file, ingestId, this.controller.signal, async (rows) => {
        await pauseForTests('record', ingestId);
        // A store that fails now leaves the record `ingesting` (the file is not read again meanwhile: knownFiles);
        // the next start reconciles it from the marker that committed with the rows.
        await settleIngest(workspace, ingestId, rows).catch((error: unknown) =>
          console.error(`sift: feeds: ${stat.path} was taken, but recording it failed: ${toErrorInfo(error).message}`),
        );
        this.emit({
          type: 'taken',
          dir: feed.dir,
          path: stat.path,
          table: feed.table,
          rows,
          error: null,
          duplicateOf: null,
        });
        this.host.emit({ channel: 'workspace', event: { type: 'changed' } });
      });
    } catch (error) {
      if (error instanceof FileChanged || this.stopped || transient(error)) {
        // Not the file's fault: it is read again once it settles (or when the feed starts again).
        await settleIngest(workspace, ingestId, null);
        return;
      }
      const message = toErrorInfo(error).message;
      await recordFile(workspace, ingestId, feed, file, 'failed', { error: message });
      console.error(`sift: feeds: set aside ${message}`);
      this.emit({
        type: 'failed',
        dir: feed.dir,
        path: stat.path,
        table: feed.table,
        rows: null,
        error: message,
        duplicateOf: null,
      });
    }
  }

  private emit(event: FeedEvent): void {
    this.host.emit({ channel: 'feed', event });
  }
}

/** DuckDB refusing a file it may read once its allow-list is refreshed (a folder made after the workspace opened). */
function transient(error: unknown): boolean {
  const message = error instanceof SiftError ? error.info.message : String(error);
  return /Permission Error/i.test(message);
}
