/**
 * Labeling sessions against the real host: a hand-made workspace in DuckDB, the label journal on disk, the store
 * that SQL reads through its snapshot. Batches, near-duplicates, skip-return, undo across items and across a
 * reopen, the policy version on every event, a torn or damaged journal, the store catching up, and export.
 * Several annotators and the model in the loop: labelingTeam.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { JOURNAL_FILE } from '../../electron/host/labeling/labelJournal';
import { makeLabelingWorkspace as makeWorkspace, sessionCalls, TEXTS } from './labelingFixture';
import { call, tempDir } from './support';

let host: Host;
let dir: string;
const { createSession, next, record, label } = sessionCalls(() => host);

async function reopen(): Promise<void> {
  await host.close();
  host = await Host.open(dir, { remember: false });
}

beforeEach(async () => {
  dir = tempDir('sift-label-');
  host = await makeWorkspace(dir);
});
afterEach(async () => {
  await host.close();
});

describe('a labeling session', () => {
  it('ranks the pool, hands out distinct items with their context and reason, and records the policy version', async () => {
    const session = await createSession();
    expect(session).toMatchObject({
      poolSize: 10,
      ranked: 10,
      unscored: 0,
      policyVersion: 'v1',
      strategy: 'entropy',
      version: 't1',
    });
    expect(fs.existsSync(path.join(dir, 'policy', 'taxonomy-v1.json'))).toBe(true);
    const batch = await next(session.id);
    const ids = batch.items.map((item) => item.contentId);
    expect(ids).toHaveLength(3);
    // One spam copy at most, though the four copies are the four most uncertain items.
    expect(ids.filter((id) => TEXTS[id]!.startsWith('Buy cheap'))).toHaveLength(1);
    expect(batch.deferredDuplicates).toBeGreaterThan(0);
    expect(batch.items[0]!.rank).toBe(1);
    const hateful = batch.items.find((item) => item.contentId === 'c05');
    expect(hateful).toMatchObject({
      reports: { count: 2, reasons: { hate: 2 } },
      accountAgeDays: 60,
      surface: 'post',
      reason: { strategy: 'entropy' },
    });
    expect(hateful!.scores).toMatchObject({ hate_speech: 0.6 });
    // The open batch is handed out again until it is done (a reload gets the same items).
    expect((await next(session.id)).id).toBe(batch.id);
    const outcome = await label(session.id, ids[0]!, 1);
    expect(outcome.progress).toMatchObject({
      done: 1,
      doneByAnnotator: 1,
      total: 10,
      remaining: 9,
      batch: { done: 1, size: 3 },
    });
    await (await host.labeling()).syncStore();
    const trail = await call(host, 'query.run', {
      queryId: 'q',
      sql: `SELECT DISTINCT policy_version, strategy, annotator_id FROM label_events WHERE session_id = '${session.id}'`,
    });
    const page = await call(host, 'query.page', {
      resultId: trail.resultId!,
      offset: 0,
      limit: 10,
    });
    expect(page.rows).toEqual([['v1', 'entropy', 'ana']]);
  });

  it('brings skipped items back at the end, after every other item, and says when nothing is left', async () => {
    const session = await createSession({ batchSize: 4, strategy: 'random' });
    const first = await next(session.id);
    const skipped = first.items[0]!.contentId;
    await record(session.id, { kind: 'skip', contentId: skipped });
    for (const item of first.items.slice(1)) await label(session.id, item.contentId, 0);
    const handedOut = new Set(first.items.map((item) => item.contentId));
    let batch = await next(session.id);
    expect(batch.items.map((item) => item.contentId)).not.toContain(skipped);
    for (;;) {
      if (batch.finished) break;
      for (const item of batch.items) {
        handedOut.add(item.contentId);
        await label(session.id, item.contentId, 0);
      }
      if (batch.returningSkipped > 0) {
        // The skipped item came back last of all, once the rest of the pool was handed out.
        expect(batch.items.at(-1)!.contentId).toBe(skipped);
        expect(handedOut.size).toBe(10);
      }
      batch = await next(session.id);
    }
    const summary = await call(host, 'sessions.get', { sessionId: session.id, annotator: 'ana' });
    expect(summary.progress).toMatchObject({ done: 10, remaining: 0, skipped: 0 });
  });

  it('undoes across items as far back as wanted, and after a reopen resumes at the same item with the same history', async () => {
    const session = await createSession();
    const batch = await next(session.id);
    const [a, b, c] = batch.items.map((item) => item.contentId) as [string, string, string];
    await label(session.id, a, 1);
    await record(session.id, {
      kind: 'label',
      contentId: b,
      labels: [{ category: 'hate_speech', value: 1, leaf: 'targeted_harassment' }],
      note: 'names a group',
    });
    const undone = await record(session.id, { kind: 'undo' });
    expect(undone.undone).toMatchObject({ contentId: b, kind: 'label' });
    expect(undone.item).toBeNull();
    await reopen();
    // After the reopen: b is open again, a keeps its label, the batch is the same and resumes at b.
    const resumed = await next(session.id);
    expect(resumed.id).toBe(batch.id);
    expect(resumed.items.find((item) => item.contentId === a)!.state).toMatchObject({
      status: 'labeled',
      labels: { spam: { value: 1 } },
    });
    expect(resumed.items.find((item) => item.contentId === b)!.state).toBeNull();
    expect(resumed.items.findIndex((item) => item.state === null)).toBe(1);
    // The undo history survived: the next Backspace undoes a's label.
    const second = await record(session.id, { kind: 'undo' });
    expect(second.undone).toMatchObject({ contentId: a });
    expect((await record(session.id, { kind: 'undo' })).undone).toBeNull();
    await label(session.id, c, 0);
    await reopen();
    const labeling = await host.labeling();
    await labeling.syncStore();
    const current = await call(host, 'query.run', {
      queryId: 'cur',
      sql: `SELECT content_id, category, value FROM current_labels WHERE session_id = '${session.id}' ORDER BY ALL`,
    });
    const page = await call(host, 'query.page', {
      resultId: current.resultId!,
      offset: 0,
      limit: 50,
    });
    // SQL's current labels agree with the labeling screen's replay: only c is labeled.
    expect(page.rows).toEqual([
      [c, 'hate_speech', '0'],
      [c, 'spam', '0'],
    ]);
  });

  it('refuses what the policy or the pool does not allow, naming the field, and writes nothing', async () => {
    const session = await createSession();
    const before = fs.statSync(path.join(dir, '.sift', JOURNAL_FILE)).size;
    const refused = async (action: unknown, pattern: RegExp) => {
      const outcome = await host.dispatch('labels.record', { sessionId: session.id, annotator: 'ana', action });
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.message).toMatch(pattern);
    };
    await refused(
      { kind: 'label', contentId: 'c01', labels: [{ category: 'violence', value: 1 }] },
      /labels\.0\.category: "violence" is not a category of policy v1/,
    );
    await refused(
      { kind: 'label', contentId: 'c01', labels: [{ category: 'spam', value: 1, leaf: 'csam' }] },
      /leaf: "csam" is not a leaf of spam/,
    );
    await refused(
      { kind: 'label', contentId: 'c01', labels: [{ category: 'spam', value: 0, leaf: 'commercial_spam' }] },
      /only when the category applies/,
    );
    await refused(
      { kind: 'label', contentId: 'nope', labels: [{ category: 'spam', value: 1 }] },
      /content_id nope is not in session/,
    );
    await refused({ kind: 'label', contentId: 'c01', labels: [] }, /at least one category/);
    await refused({ kind: 'dance', contentId: 'c01' }, /action/);
    expect(fs.statSync(path.join(dir, '.sift', JOURNAL_FILE)).size).toBe(before);
    const unknown = await host.dispatch('sessions.next', { sessionId: 'missing', annotator: 'ana' });
    expect(unknown.ok || unknown.error.message).toMatch(/no labeling session missing/);
    const badPool = await host.dispatchJob('sessions.create', {
      name: 'x',
      pool: 'DELETE FROM content',
      model: 'text-distil',
      version: 't1',
      strategy: 'entropy',
      batchSize: 3,
    });
    expect(badPool.ok || badPool.error.message).toBe(
      'pool: give one SELECT over content returning content_id; a pool never changes anything.',
    );
    const noColumn = await host.dispatchJob('sessions.create', {
      name: 'x',
      pool: 'SELECT user_id FROM users',
      model: 'text-distil',
      version: 't1',
      strategy: 'entropy',
      batchSize: 3,
    });
    expect(noColumn.ok || noColumn.error.message).toMatch(/^pool: the query must return a content_id column/);
    const fusion = await host.dispatchJob('sessions.create', {
      name: 'x',
      pool: 'SELECT content_id FROM content',
      model: 'text-fusion',
      strategy: 'entropy',
      batchSize: 3,
    });
    expect(fusion.ok || fusion.error.message).toMatch(/^model: text-fusion .* has not scored 10 items of the pool/);
  });

  it('refuses to start a session under a damaged policy file, naming the file and the field', async () => {
    await createSession(); // writes policy/taxonomy-v1.json
    const v2 = path.join(dir, 'policy', 'taxonomy-v2.json');
    const broken = JSON.parse(fs.readFileSync(path.join(dir, 'policy', 'taxonomy-v1.json'), 'utf8')) as {
      version: string;
      categories: { leaves: { key: string }[] }[];
    };
    broken.version = 'v2';
    broken.categories[0]!.leaves[0]!.key = 'u';
    fs.writeFileSync(v2, JSON.stringify(broken));
    const outcome = await host.dispatchJob('sessions.create', {
      name: 'x',
      pool: 'SELECT content_id FROM content',
      model: 'text-distil',
      version: 't1',
      strategy: 'entropy',
      batchSize: 3,
    });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok)
      expect(outcome.error.message).toMatch(/taxonomy-v2\.json: categories\.0\.leaves\.0\.key: this key is reserved/);
    expect(await call(host, 'sessions.list', {})).toHaveLength(1);
  });

  it('cuts a torn last line from the journal, and names the line of damage anywhere else', async () => {
    const session = await createSession();
    const batch = await next(session.id);
    await label(session.id, batch.items[0]!.contentId, 1);
    const journal = path.join(dir, '.sift', JOURNAL_FILE);
    await host.close();
    const intact = fs.readFileSync(journal);
    fs.appendFileSync(journal, '{"t":"event","event_id":"half'); // a write cut short by a crash: never acknowledged
    host = await Host.open(dir, { remember: false });
    const resumed = await next(session.id);
    expect(resumed.items[0]!.state).toMatchObject({ status: 'labeled' });
    await host.close();
    expect(fs.readFileSync(journal)).toEqual(intact);
    const lines = intact.toString('utf8').split('\n');
    lines[1] = 'this is not a record';
    fs.writeFileSync(journal, lines.join('\n'));
    host = await Host.open(dir, { remember: false });
    const outcome = await host.dispatch('sessions.list', {});
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toMatch(/labels\.journal is damaged at line 2/);
    // The rest of the workspace still works.
    expect((await host.dispatch('tables.list', {})).ok).toBe(true);
    fs.writeFileSync(journal, intact);
  });

  it('brings the store up to date from the journal after a crash between the two, without doubling events', async () => {
    const session = await createSession();
    const batch = await next(session.id);
    for (const item of batch.items) await label(session.id, item.contentId, 0);
    await reopen();
    const count = async () =>
      host.workspace.withStore(async (conn) =>
        Number(
          (
            await conn.runAndReadAll(`SELECT count(*) FROM label_events WHERE session_id = '${session.id}'`)
          ).getRowsJson()[0]![0],
        ),
      );
    expect(await count()).toBe(6);
    // As if the process died after the journal's fsync and before the store's commit: the store lost the events.
    await host.workspace.withStore((conn) =>
      conn.run(
        `DELETE FROM label_events WHERE session_id = '${session.id}' AND content_id = '${batch.items[2]!.contentId}'; UPDATE journal_sync SET records = 2`,
      ),
    );
    await reopen();
    await host.labeling();
    expect(await count()).toBe(6);
  });

  it('exports the audit trail as NDJSON, CSV and Parquet, undo events included', async () => {
    const session = await createSession();
    const batch = await next(session.id);
    await label(session.id, batch.items[0]!.contentId, 1);
    await record(session.id, { kind: 'undo' });
    await record(session.id, { kind: 'skip', contentId: batch.items[1]!.contentId });
    const out = tempDir('sift-export-');
    const ndjson = await call(host, 'labels.export', {
      sessionId: session.id,
      format: 'ndjson',
      path: path.join(out, 'trail.ndjson'),
    });
    expect(ndjson.events).toBe(4);
    const events = fs
      .readFileSync(ndjson.path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((event) => event.kind)).toEqual(['label', 'label', 'undo', 'skip']);
    expect(events[2]!.undoes).toBe(events[0]!.action_id);
    expect(
      events.every(
        (event) => event.annotator_id === 'ana' && event.policy_version === 'v1' && event.session_id === session.id,
      ),
    ).toBe(true);
    const csv = await call(host, 'labels.export', {
      sessionId: session.id,
      format: 'csv',
      path: path.join(out, 'trail.csv'),
    });
    expect(fs.readFileSync(csv.path, 'utf8').split('\n')[0]).toContain(
      'event_id,session_id,content_id,annotator_id,category,value,policy_version,kind,created_at',
    );
    const parquet = await call(host, 'labels.export', {
      sessionId: session.id,
      format: 'parquet',
      path: path.join(out, 'trail.parquet'),
    });
    expect(parquet.events).toBe(4);
    const own = await host.dispatch('labels.export', {
      sessionId: session.id,
      format: 'csv',
      path: path.join(dir, '.sift', JOURNAL_FILE),
    });
    expect(own.ok).toBe(false);
  });

  it('errors strategy: items whose human labels contradict the model at its thresholds', async () => {
    // c05 scores hate 0.6 (below remove 0.9): a human says hate → a false negative. c03: no contradiction.
    await host.workspace.withStore((conn) =>
      conn.run(`INSERT INTO label_events (event_id, session_id, content_id, annotator_id, category, value, policy_version, kind, created_at)
                VALUES ('old1', 'old', 'c05', 'bo', 'hate_speech', '1', 'v1', 'label', TIMESTAMP '2024-03-02 00:00:00'),
                       ('old2', 'old', 'c03', 'bo', 'spam', '0', 'v1', 'label', TIMESTAMP '2024-03-02 00:00:00')`),
    );
    await host.workspace.refreshLabelSnapshot();
    const session = await createSession({ strategy: 'errors' });
    expect(session).toMatchObject({ ranked: 1, excluded: 9 });
    const batch = await next(session.id);
    expect(batch.items.map((item) => item.contentId)).toEqual(['c05']);
    expect(batch.items[0]!.reason).toMatchObject({ errors: [{ category: 'hate_speech', kind: 'false_negative' }] });
  });

  it("scores the pool first when the model's current version has not scored it", async () => {
    const session = await createSession({
      version: undefined,
      pool: "SELECT content_id FROM content WHERE content_id IN ('c01', 'c05', 'c07')",
    });
    expect(session.scoredForSession).toBe(3);
    expect(session.unscored).toBe(0);
    expect(session.version).not.toBe('t1');
  });

  it('draws a random session on a workspace nothing has scored yet (no model_scores table)', async () => {
    // Once failed with DuckDB's "Failed to retrieve bind parameter index": the pool query was handed parameters
    // only the missing scores table's part used.
    await host.workspace.withConnection((conn) => conn.run('DROP TABLE model_scores'));
    const session = await createSession({ version: undefined, strategy: 'random', seed: 7 });
    expect(session.unscored).toBe(0);
    const batch = await next(session.id);
    expect(batch.items.length).toBe(3);
    expect(batch.items.every((item) => item.reason.strategy === 'random')).toBe(true);
  });
});
