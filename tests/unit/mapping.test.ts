import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { CANONICAL_TABLES, missingForView, requiredColumns, suggestMappings } from '../../shared/canonical';
import type { SavedMapping } from '../../shared/contract';
import { call, importedRows, importFile, openTempHost, tempDir, writeTemp } from './support';

describe('suggesting a canonical table from column names', () => {
  it('recognises a reports export by its columns and names', () => {
    const [best] = suggestMappings(['flag_id', 'post_id', 'flagger_id', 'flag_type', 'timestamp'], 'flags');
    expect(best!.canonicalTable).toBe('reports');
    expect(best!.columns).toEqual({
      report_id: 'flag_id',
      content_id: 'post_id',
      reporter_id: 'flagger_id',
      reason: 'flag_type',
      created_at: 'timestamp',
    });
  });

  it('recognises content and leaves unmatched columns empty', () => {
    const [best] = suggestMappings(['id', 'author_id', 'body', 'lang', 'created', 'extra_column']);
    expect(best!.canonicalTable).toBe('content');
    expect(best!.columns).toMatchObject({
      content_id: 'id',
      user_id: 'author_id',
      text: 'body',
      language: 'lang',
      created_at: 'created',
      surface: null,
      image_emb: null,
    });
  });

  it('never suggests a Sift-owned table', () => {
    expect(
      suggestMappings(['event_id', 'session_id', 'content_id', 'annotator_id']).map((s) => s.canonicalTable),
    ).not.toContain('label_events');
  });
});

describe('saving a mapping', () => {
  let host: Host;
  beforeAll(async () => {
    ({ host } = await openTempHost());
    await importFile(
      host,
      writeTemp(
        tempDir(),
        'flags.csv',
        'flag_id,post_id,flagger_id,flag_type,timestamp\n1,p1,u1,spam,2024-03-01 10:00:00\n2,p2,u2,off_topic,2024-03-01 11:00:00\n',
      ),
    );
  });
  afterAll(async () => host.close());

  it('creates the canonical view with renamed columns and remembers the mapping', async () => {
    const saved = await call(host, 'mapping.save', {
      sourceTable: 'flags',
      canonicalTable: 'reports',
      columns: {
        report_id: 'flag_id',
        content_id: 'post_id',
        reporter_id: 'flagger_id',
        reason: 'flag_type',
        created_at: 'timestamp',
      },
    });
    expect(saved.canonicalTable).toBe('reports');
    const result = await call(host, 'query.run', {
      queryId: 'm',
      sql: 'SELECT report_id, reason, created_at FROM reports ORDER BY report_id',
    });
    expect(result.rows).toEqual([
      ['1', 'spam', '2024-03-01 10:00:00'],
      ['2', 'off_topic', '2024-03-01 11:00:00'],
    ]);
    expect(await call(host, 'mapping.list', {})).toMatchObject([{ sourceTable: 'flags', canonicalTable: 'reports' }]);
    const tables = await call(host, 'tables.list', {});
    expect(tables.find((t) => t.name === 'flags')?.mappedTo).toBe('reports');
  });

  it('rejects an unknown canonical table, column or source column with the field named', async () => {
    expect(
      await host.dispatch('mapping.save', { sourceTable: 'flags', canonicalTable: 'label_events', columns: {} }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('canonicalTable:') } });
    expect(
      await host.dispatch('mapping.save', {
        sourceTable: 'flags',
        canonicalTable: 'reports',
        columns: { nope: 'flag_id' },
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('columns: "nope"') } });
    expect(
      await host.dispatch('mapping.save', {
        sourceTable: 'flags',
        canonicalTable: 'reports',
        columns: { reason: 'missing' },
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('columns.reason') } });
    expect(
      await host.dispatch('mapping.save', { sourceTable: 'ghost', canonicalTable: 'reports', columns: {} }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('onto a name already taken by a table: asks, then replaces it keeping a backup, or appends the mapped rows', async () => {
    await host.workspace.withConnection((conn) =>
      conn.run(
        `CREATE TABLE users AS SELECT * FROM (VALUES ('u1', 'ann', TIMESTAMP '2024-01-01 00:00:00')) t(user_id, username, created_at)`,
      ),
    );
    await importFile(
      host,
      writeTemp(
        tempDir(),
        'accounts.csv',
        'account_id,handle,signup_at\na9,zed,2024-02-02 00:00:00\na8,yan,2024-02-03 00:00:00\n',
      ),
    );
    const columns = { user_id: 'account_id', username: 'handle', created_at: 'signup_at' };
    const asked = await host.dispatch('mapping.save', { sourceTable: 'accounts', canonicalTable: 'users', columns });
    expect(asked).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          /^whenTaken: the workspace already has a table named users \(1 rows\)\. Replace it .* or append/,
        ),
      },
    });
    const appended = await call(host, 'mapping.save', {
      sourceTable: 'accounts',
      canonicalTable: 'users',
      columns,
      whenTaken: 'append',
    });
    expect(appended.appendedRows).toBe(2);
    const rows = await call(host, 'query.run', {
      queryId: 'u',
      sql: 'SELECT user_id, username FROM users ORDER BY user_id',
    });
    expect(rows.rows).toEqual([
      ['a8', 'yan'],
      ['a9', 'zed'],
      ['u1', 'ann'],
    ]);
    // A value that does not fit the existing column's type fails the whole append, naming it; nothing is added.
    await importFile(host, writeTemp(tempDir(), 'odd.csv', 'account_id,handle,signup_at\na7,xi,not a date\n'));
    const bad = await host.dispatch('mapping.save', {
      sourceTable: 'odd',
      canonicalTable: 'users',
      columns,
      whenTaken: 'append',
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('Appending odd to users failed, nothing was added') },
    });
    const replaced = await call(host, 'mapping.save', {
      sourceTable: 'accounts',
      canonicalTable: 'users',
      columns,
      whenTaken: 'replace',
    });
    expect(replaced.backupTable).toBe('users_backup');
    const now = await call(host, 'query.run', { queryId: 'v', sql: 'SELECT count(*) FROM users' });
    expect(now.rows).toEqual([['2']]);
    const backup = await call(host, 'query.run', {
      queryId: 'b',
      sql: 'SELECT count(*) FROM users_backup',
    });
    expect(backup.rows).toEqual([['3']]);
  });
});

describe('the key columns every mapping needs', () => {
  let host: Host;
  let dir: string;
  const mappingNames = async () => (await call(host, 'mapping.list', {})).map((m) => m.canonicalTable);
  beforeAll(async () => {
    ({ host } = await openTempHost());
    dir = tempDir();
    await importFile(
      host,
      writeTemp(dir, 'posts.csv', 'post_id,author_id,body\np1,u1,hello\n,u2,no id here\np3,,no author\n'),
    );
    await importFile(host, writeTemp(dir, 'actions.csv', 'id,post_id,decision\na1,p1,remove\na2,p3,keep\n'));
  });
  afterAll(async () => host.close());

  it('are the ids of each canonical table, declared once', () => {
    const keys = Object.fromEntries(
      CANONICAL_TABLES.filter((t) => !t.siftOwned).map((t) => [t.name, requiredColumns(t)]),
    );
    expect(keys).toEqual({
      content: ['content_id'],
      users: ['user_id'],
      reports: ['report_id', 'content_id'],
      moderation_actions: ['action_id', 'content_id'],
      model_scores: [],
      appeals: ['appeal_id', 'content_id'],
    });
  });

  it('refuses a mapping that leaves a key column out, naming it, and creates nothing', async () => {
    const withoutId = await host.dispatch('mapping.save', {
      sourceTable: 'posts',
      canonicalTable: 'content',
      columns: { user_id: 'author_id', text: 'body' },
    });
    expect(withoutId).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message:
          'columns.content_id: content needs its key column content_id mapped to a column of the source; every row is identified by it.',
      },
    });
    const withoutEither = await host.dispatch('mapping.save', {
      sourceTable: 'actions',
      canonicalTable: 'moderation_actions',
      columns: { action: 'decision', content_id: null },
    });
    expect(withoutEither).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          /^columns\.action_id: moderation_actions needs its key columns action_id and content_id mapped/,
        ),
      },
    });
    const reportWithoutItem = await host.dispatch('mapping.save', {
      sourceTable: 'actions',
      canonicalTable: 'reports',
      columns: { report_id: 'id' },
    });
    expect(reportWithoutItem).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('columns.content_id: reports needs its key column content_id') },
    });
    expect(await tableNamesOf(host)).not.toContain('content');
    expect(await mappingNames()).toEqual([]);
    // With its keys, the same source maps.
    await call(host, 'mapping.save', {
      sourceTable: 'actions',
      canonicalTable: 'moderation_actions',
      columns: { action_id: 'id', content_id: 'post_id', action: 'decision' },
    });
    expect(await mappingNames()).toEqual(['moderation_actions']);
  });

  it('refuses a source with a row whose key is NULL, naming the file, the column and how many; nothing is written', async () => {
    const refused = await host.dispatch('mapping.save', {
      sourceTable: 'posts',
      canonicalTable: 'content',
      columns: { content_id: 'post_id', user_id: 'author_id', text: 'body' },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: expect.stringMatching(
          /^columns\.content_id: 1 of 3 rows of posts \(.*posts\.csv\) have no post_id \(NULL\), and content_id identifies every row of content; nothing was mapped\./,
        ),
      },
    });
    expect(await tableNamesOf(host)).not.toContain('content');
    // A NULL in a column that is not a key is fine: an item may lack an author.
    await host.workspace.withConnection((conn) =>
      conn.run(`CREATE TABLE posts_keyed AS SELECT * FROM posts WHERE post_id IS NOT NULL`),
    );
    await call(host, 'mapping.save', {
      sourceTable: 'posts_keyed',
      canonicalTable: 'content',
      columns: { content_id: 'post_id', user_id: 'author_id', text: 'body' },
    });
    const rows = await call(host, 'query.run', {
      queryId: 'k',
      sql: 'SELECT content_id, user_id FROM content ORDER BY content_id',
    });
    expect(rows.rows).toEqual([
      ['p1', 'u1'],
      ['p3', null],
    ]);
    // Appending to a real table checks the same, before a row is added.
    await host.workspace.withConnection((conn) =>
      conn.run(`CREATE TABLE users AS SELECT 'u1' AS user_id, 'ann' AS username`),
    );
    const append = await host.dispatch('mapping.save', {
      sourceTable: 'posts',
      canonicalTable: 'users',
      columns: { user_id: 'author_id' },
      whenTaken: 'append',
    });
    expect(append).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('columns.user_id: 1 of 3 rows of posts') },
    });
    const users = await call(host, 'query.run', { queryId: 'u', sql: 'SELECT count(*) FROM users' });
    expect(users.rows).toEqual([['1']]);
  });
});

describe('importing and mapping in one step (what sift import --as does)', () => {
  let host: Host;
  beforeAll(async () => {
    ({ host } = await openTempHost());
    await host.workspace.withConnection((conn) =>
      conn.run(
        `CREATE TABLE users AS SELECT 'u1' AS user_id, 'ann' AS username, TIMESTAMP '2024-01-01 00:00:00' AS created_at`,
      ),
    );
  });
  afterAll(async () => host.close());
  const columns = { user_id: 'account_id', username: 'handle', created_at: 'signup_at' };

  it('asks before taking a canonical name that is a table, and a refused mapping leaves no imported table', async () => {
    const file = writeTemp(tempDir(), 'accounts.csv', 'account_id,handle,signup_at\na9,zed,2024-02-02 00:00:00\n');
    const asked = await importFile(host, file, { mapping: { canonicalTable: 'users', columns } });
    expect(asked.error?.message).toMatch(/^whenTaken: the workspace already has a table named users \(1 rows\)/);
    const appended = await importFile(host, file, {
      mapping: { canonicalTable: 'users', columns, whenTaken: 'append' },
    });
    expect(appended.status).toBe('done');
    expect((appended.result as { mapping: SavedMapping }).mapping.appendedRows).toBe(1);
    // A value that does not fit the table's type fails the append after the import: the import goes too.
    const odd = writeTemp(tempDir(), 'odd_accounts.csv', 'account_id,handle,signup_at\na7,xi,not a date\n');
    const failed = await importFile(host, odd, { mapping: { canonicalTable: 'users', columns, whenTaken: 'append' } });
    expect(failed.error?.message).toMatch(
      /^Appending odd_accounts to users failed, nothing was added: .*; odd_accounts\.csv was not imported either\.$/,
    );
    expect(await tableNamesOf(host)).not.toContain('odd_accounts');
    expect(await importedRows(host)).toBe(1);
    const users = await call(host, 'query.run', {
      queryId: 'u',
      sql: 'SELECT user_id FROM users ORDER BY 1',
    });
    expect(users.rows).toEqual([['a9'], ['u1']]);
  });
});

async function tableNamesOf(host: Host): Promise<string[]> {
  return (await call(host, 'tables.list', {})).map((table) => table.name);
}

describe('what a view needs from an empty workspace', () => {
  it('names the canonical tables still missing: all of them, or the choice between them', () => {
    expect(missingForView('spikes', ['label_events', 'current_labels'])).toEqual(['reports', 'moderation_actions']);
    expect(missingForView('spikes', ['moderation_actions'])).toEqual([]);
    expect(missingForView('models', ['users', 'reports'])).toEqual(['content']);
    expect(missingForView('label', ['content'])).toEqual([]);
  });
});
