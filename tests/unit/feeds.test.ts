/**
 * Folder feeds (issue 24) on real files and a real DuckDB: a file written in pieces is read once it settles, whole;
 * a copy under another name is a duplicate; a file staged under a temporary name and renamed is taken once; a broken
 * file and one whose columns do not fit are set aside by name while the feed goes on. Tests wait on the feed's
 * events, never on fixed sleeps (the settle time is short here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { FeedEvent } from '../../shared/contract';
import { feedMatches } from '../../shared/feedRules';
import { call, openTempHost, outcomeOf, tempDir, writeParquet } from './support';

let host: Host;
let landing: string;
const events: FeedEvent[] = [];

/** Resolves with the first feed event (from now on) about `file`. */
function nextEvent(file: string): Promise<FeedEvent> {
  const seen = events.length;
  return new Promise((resolve) => {
    const check = () => {
      const found = events.slice(seen).find((event) => event.path === file);
      if (found) {
        stop();
        resolve(found);
      }
    };
    const stop = host.onEvent(() => check());
  });
}

async function rows(sql: string): Promise<unknown[][]> {
  const result = await call(host, 'query.run', { queryId: `q-${Math.random()}`, sql });
  return result.rows;
}

beforeAll(async () => {
  ({ host } = await openTempHost());
  landing = tempDir('sift-landing-');
  host.onEvent((event) => {
    if (event.channel === 'feed') events.push(event.event);
  });
  // 600 ms: longer than the pauses of the writer below, short enough to keep the test quick.
  await call(host, 'watch.add', { dir: landing, table: 'events', pattern: '*.csv', settleMs: 600 });
  await host.alwaysOn.start();
});

afterAll(async () => {
  await host.close();
});

describe('a folder feed', () => {
  it('takes a file written in pieces once it has settled, all of its rows once', async () => {
    const file = path.join(landing, 'hour-01.csv');
    const taken = nextEvent(file);
    fs.writeFileSync(file, 'id,kind\n');
    for (let i = 1; i <= 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 60)); // the writer's pace, well inside the settle time
      fs.appendFileSync(file, `${i},flag\n`);
    }
    expect(await taken).toMatchObject({ type: 'taken', table: 'events', rows: 5 });
    expect(await rows('SELECT count(*)::INTEGER FROM events')).toEqual([[5]]);
    const [feed] = await call(host, 'watch.list', {});
    expect(feed).toMatchObject({ dir: landing, table: 'events', taken: 1, rows: 5, duplicates: 0, failed: 0 });
  });

  it('does not take a copy of a file already taken, and says so', async () => {
    const copy = path.join(landing, 'hour-01-again.csv');
    const skipped = nextEvent(copy);
    fs.copyFileSync(path.join(landing, 'hour-01.csv'), copy);
    expect(await skipped).toMatchObject({ type: 'duplicate', duplicateOf: path.join(landing, 'hour-01.csv') });
    // A taken file renamed is the same content under a new name: a duplicate too.
    const renamed = path.join(landing, 'renamed.csv');
    const again = nextEvent(renamed);
    fs.renameSync(copy, renamed);
    expect((await again).type).toBe('duplicate');
    expect(await rows('SELECT count(*)::INTEGER FROM events')).toEqual([[5]]);
    const [feed] = await call(host, 'watch.list', {});
    expect(feed!.duplicates).toBe(2);
    expect(feed!.recent[0]).toMatchObject({ path: renamed, status: 'duplicate' });
  });

  it('takes a file staged under a temporary name once it is renamed, whole', async () => {
    const staged = path.join(landing, 'hour-02.csv.part');
    const final = path.join(landing, 'hour-02.csv');
    const taken = nextEvent(final);
    fs.writeFileSync(staged, 'id,kind\n6,flag\n7,appeal\n');
    fs.renameSync(staged, final);
    expect(await taken).toMatchObject({ type: 'taken', rows: 2 });
    expect(events.some((event) => event.path === staged)).toBe(false);
  });

  it('sets a broken file and one whose columns do not fit aside, naming them, and goes on', async () => {
    const broken = path.join(landing, 'hour-03.csv');
    const misfit = path.join(landing, 'hour-04.csv');
    const good = path.join(landing, 'hour-05.csv');
    const failures = [nextEvent(broken), nextEvent(misfit)];
    const taken = nextEvent(good);
    fs.writeFileSync(broken, 'id,kind\n8,"never closed\n9,flag\n');
    fs.writeFileSync(misfit, 'id,colour\n10,red\n');
    fs.writeFileSync(good, 'id,kind\n11,flag\n');
    const [first, second] = await Promise.all(failures);
    expect(first).toMatchObject({ type: 'failed' });
    expect(first!.error).toContain(broken);
    expect(second!.error).toBe(
      `${misfit}: its columns do not fit the table events (it lacks kind; events has no colour).`,
    );
    expect(await taken).toMatchObject({ type: 'taken', rows: 1 });
    expect(await rows('SELECT list(id ORDER BY id)::VARCHAR FROM events')).toEqual([['[1, 2, 3, 4, 5, 6, 7, 11]']]);
    const [feed] = await call(host, 'watch.list', {});
    expect(feed).toMatchObject({ taken: 3, rows: 8, failed: 2 });
  });

  it('sets aside a file that changed after it was taken, rather than taking its rows twice', async () => {
    const file = path.join(landing, 'hour-05.csv');
    const refused = nextEvent(file);
    fs.appendFileSync(file, '12,flag\n');
    expect((await refused).error).toContain('changed after it was taken (1 row)');
    expect(await rows('SELECT count(*)::INTEGER FROM events')).toEqual([[8]]);
  });

  it('takes Parquet files into their own table', async () => {
    const folder = tempDir('sift-landing-parquet-');
    await call(host, 'watch.add', { dir: folder, table: 'scores', format: 'parquet', settleMs: 100 });
    const file = path.join(folder, 'part-0.parquet');
    const staged = path.join(folder, '.part-0.parquet');
    const taken = nextEvent(file);
    await writeParquet(staged, 'SELECT range AS id, range * 0.5 AS score FROM range(1000)');
    fs.renameSync(staged, file);
    expect(await taken).toMatchObject({ type: 'taken', table: 'scores', rows: 1000 });
    expect((await call(host, 'watch.remove', { dir: folder })).removed).toMatchObject({ table: 'scores', rows: 1000 });
    expect((await call(host, 'watch.list', {})).map((feed) => feed.table)).toEqual(['events']);
  });
});

describe('watching a folder', () => {
  it("is the owner's: an annotator's token may neither add nor list feeds", async () => {
    const annotator = { role: 'annotator' as const, annotator: 'ana' };
    for (const outcome of [
      await outcomeOf(host, 'watch.add', { dir: landing, table: 'events' }, annotator),
      await outcomeOf(host, 'watch.list', {}, annotator),
    ])
      expect(outcome).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it("refuses Sift's own folder, the workspace's folder, a missing folder and a path pattern", async () => {
    const dir = host.workspace.dir;
    const refusal = async (input: { dir: string; pattern?: string; table?: string }) => {
      const outcome = await outcomeOf(host, 'watch.add', { table: 'events', ...input });
      return outcome.ok ? 'accepted' : outcome.error.message;
    };
    expect(await refusal({ dir: path.join(dir, '.sift') })).toContain("is Sift's own folder");
    expect(await refusal({ dir })).toContain('holds the workspace');
    // The file system's root and a link to the workspace hold it too (a check by spelling missed both).
    expect(await refusal({ dir: path.parse(dir).root })).toContain('holds the workspace');
    const link = path.join(tempDir('sift-link-'), 'to-workspace');
    fs.symlinkSync(dir, link);
    expect(await refusal({ dir: link })).toContain('holds the workspace');
    expect(await refusal({ dir: path.join(landing, 'nope') })).toMatch(/nope/);
    expect(await refusal({ dir: landing, pattern: 'sub/*.csv' })).toContain('names files in the folder');
    // A folder already feeding a table is not switched to another without a word: its files went to the first.
    expect(await refusal({ dir: landing, table: 'other_events' })).toContain('already feeds table "events"');
  });

  it('matches names by glob, never hidden or unfinished files', () => {
    expect(feedMatches('*.{csv,tsv}', 'a.tsv')).toBe(true);
    expect(feedMatches('hour-[0-9]?.csv', 'hour-07.csv')).toBe(true);
    expect(feedMatches('*.csv', 'a.csv.part')).toBe(false);
    expect(feedMatches('*', '.hidden.csv')).toBe(false);
    expect(feedMatches('*', 'data.csv~')).toBe(false);
  });
});
