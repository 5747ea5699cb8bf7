/**
 * The `sift` command as scripts use it, importing files and querying: real processes, real files, exit codes and
 * stdout formats.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalTable, missingKeysProblem } from '../../shared/canonical';
import { sift } from './cliFixture';
import { tempDir, writeParquet, writeTemp } from './support';

let workspace: string;
let files: string;

beforeAll(async () => {
  workspace = path.join(tempDir('sift-cli-'), 'ws');
  files = tempDir('sift-cli-files-');
  const created = await sift('sample', '--kind', 'platform', '--workspace', workspace);
  expect(created.code).toBe(0);
}, 120_000);

describe('sift import and query', () => {
  it('imports files, and fails with a one-line message naming the bad one', async () => {
    const good = writeTemp(
      files,
      'escalations.csv',
      'escalation_id,content_id,outcome\n1,c00000001,upheld\n2,c00000002,overturned\n',
    );
    const parquet = path.join(files, 'extra_scores.parquet');
    await writeParquet(parquet, "SELECT 'c' || range AS content_id, random() AS score FROM range(100)");
    const ok = await sift('import', good, parquet, '--workspace', workspace);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Imported 2 rows from .*escalations\.csv into escalations/);
    expect(ok.stdout).toMatch(/Imported 100 rows from .*extra_scores\.parquet into extra_scores/);
    // A name already taken: the app's dialog words it as a choice, the command line as its flags.
    const taken = await sift('import', good, '--workspace', workspace);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(
      'a table named "escalations" already exists; choose another table name, or replace it (--table NAME or --replace).',
    );
    const linked = await sift('import', parquet, '--table', 'scores_view', '--link', '--workspace', workspace);
    expect(linked.stdout).toMatch(/into scores_view \(linked\)/);
    const bad = writeTemp(files, 'broken.csv', 'a,b\n1,2\n3\n');
    const failed = await sift('import', bad, '--workspace', workspace);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(failed.stderr).toContain('broken.csv line 3: row has 1 fields, expected 2');
  });

  it('maps an import onto a canonical table with --as and --map, refusing a missing or NULL key as the app does and importing nothing then', async () => {
    const own = path.join(tempDir('sift-cli-map-'), 'ws');
    const posts = writeTemp(
      files,
      'posts_export.csv',
      'post_id,author_id,body,posted_at\np1,u1,hello,2024-05-01 10:00:00\np2,u2,buy now,2024-05-01 11:00:00\n',
    );
    const holes = writeTemp(files, 'holes.csv', 'post_id,author_id,body\np3,u1,ok\n,u2,no id\n');
    const tables = async () =>
      (JSON.parse((await sift('tables', '--json', '--workspace', own)).stdout) as { name: string }[])
        .map((t) => t.name)
        .sort();
    // The key left out: the words of the app's mapping dialog (shared/canonical.ts), and no table is left behind.
    const missing = await sift(
      'import',
      posts,
      '--workspace',
      own,
      '--as',
      'content',
      '--map',
      'user_id=author_id,text=body',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n').at(-1)).toBe(
      `sift: ${missingKeysProblem(canonicalTable('content')!, { user_id: 'author_id', text: 'body' })}`,
    );
    expect(await tables()).toEqual(['current_labels', 'label_events']);
    const mapped = await sift(
      'import',
      posts,
      '--workspace',
      own,
      '--as',
      'content',
      '--map',
      'content_id=post_id,user_id=author_id',
      '--map',
      'text=body,created_at=posted_at',
    );
    expect(mapped.code).toBe(0);
    expect(mapped.stdout).toContain(
      'posts_export mapped as the view content (content_id=post_id, user_id=author_id, text=body, created_at=posted_at)',
    );
    const rows = await sift(
      'query',
      '--sql',
      'SELECT content_id, text FROM content ORDER BY 1',
      '--format',
      'json',
      '--workspace',
      own,
    );
    expect(JSON.parse(rows.stdout)).toEqual([
      { content_id: 'p1', text: 'hello' },
      { content_id: 'p2', text: 'buy now' },
    ]);
    // A row without its key: refused, naming the file and column; the file is not imported.
    const nullKey = await sift(
      'import',
      holes,
      '--workspace',
      own,
      '--as',
      'content',
      '--map',
      'content_id=post_id,text=body',
    );
    expect(nullKey.code).toBe(1);
    expect(nullKey.stderr).toMatch(
      /columns\.content_id: 1 of 2 rows of holes \(.*holes\.csv\) have no post_id \(NULL\)/,
    );
    expect(await tables()).toEqual(['content', 'current_labels', 'label_events', 'posts_export']);
    // Flags that cannot work are refused before anything is read (exit 2).
    expect((await sift('import', posts, '--workspace', own, '--map', 'content_id=post_id')).code).toBe(2);
    expect(
      (await sift('import', posts, '--workspace', own, '--as', 'content', '--map', 'content_id')).stderr,
    ).toContain('expected canonical=source');
    expect(
      (await sift('import', posts, '--workspace', own, '--as', 'label_events', '--map', 'content_id=post_id')).code,
    ).toBe(2);
  });

  it('queries with bound parameters and prints a JSON array of row objects', async () => {
    const out = await sift(
      'query',
      '--sql',
      'SELECT language, count(*) AS n FROM content WHERE language = $lang GROUP BY 1',
      '--param',
      'lang=es',
      '--format',
      'json',
      '--workspace',
      workspace,
    );
    expect(out.code).toBe(0);
    const rows = JSON.parse(out.stdout) as { language: string; n: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.language).toBe('es');
    expect(rows[0]!.n).toBeGreaterThan(1000);
  });

  it('writes csv, parquet and table output, from --sql or --file', async () => {
    const sqlFile = writeTemp(
      files,
      'top.sql',
      'SELECT reason, count(*) AS n FROM reports GROUP BY 1 ORDER BY n DESC, reason LIMIT 3;',
    );
    const csv = await sift('query', '--file', sqlFile, '--format', 'csv', '--workspace', workspace);
    expect(csv.stdout.split('\n')[0]).toBe('reason,n');
    expect(csv.stdout.trim().split('\n')).toHaveLength(4);
    const target = path.join(files, 'top.parquet');
    const parquet = await sift(
      'query',
      '--file',
      sqlFile,
      '--format',
      'parquet',
      '--out',
      target,
      '--workspace',
      workspace,
    );
    expect(parquet.code).toBe(0);
    expect(fs.readFileSync(target).subarray(0, 4).toString()).toBe('PAR1');
    const table = await sift('query', '--sql', 'SELECT 1 AS one', '--workspace', workspace);
    expect(table.stdout).toMatch(/one\s*\n─+\n\s*1/);
    // Counts are of every row, not of those stored when the first page was ready (the first 2,048).
    const many = await sift(
      'query',
      '--sql',
      'SELECT * FROM range(50000)',
      '--format',
      'csv',
      '--out',
      path.join(files, 'many.csv'),
      '--workspace',
      workspace,
    );
    expect(many.stderr).toContain('Wrote 50000 rows');
    const shown = await sift('query', '--sql', 'SELECT * FROM range(50000)', '--workspace', workspace);
    expect(shown.stderr).toContain('(50,000 rows; the first 1000 shown');
  });

  it('prints every result of a script in turn: a heading each as a table, csv blocks, one JSON array; --out only as JSON', async () => {
    const script = writeTemp(
      files,
      'two.sql',
      "SELECT count(*) AS n FROM reports WHERE reason = 'spam';\n-- the second\nSELECT 'b' AS x, 2 AS y UNION ALL SELECT 'c', 3 ORDER BY x;\n",
    );
    const spam = (
      JSON.parse(
        (
          await sift(
            'query',
            '--sql',
            "SELECT count(*) AS n FROM reports WHERE reason = 'spam'",
            '--format',
            'json',
            '--workspace',
            workspace,
          )
        ).stdout,
      ) as { n: number }[]
    )[0]!.n;
    const json = await sift('query', '--file', script, '--format', 'json', '--workspace', workspace);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      [{ n: spam }],
      [
        { x: 'b', y: 2 },
        { x: 'c', y: 3 },
      ],
    ]);
    const csv = await sift('query', '--file', script, '--format', 'csv', '--workspace', workspace);
    expect(csv.stdout).toBe(`n\n${spam}\n\nx,y\nb,2\nc,3\n`);
    const table = await sift('query', '--file', script, '--workspace', workspace);
    expect(
      table.stdout.startsWith(`-- statement 1 of 2: SELECT count(*) AS n FROM reports WHERE reason = 'spam'\nn`),
    ).toBe(true);
    expect(table.stdout).toContain(
      `\n${spam}\n\n-- statement 2 of 2: SELECT 'b' AS x, 2 AS y UNION ALL SELECT 'c', 3 ORDER BY x\n`,
    );
    expect(table.stdout).toMatch(/x │ y\n──┼──\nb │ 2\nc │ 3\n$/);
    // One file holds several results only as one JSON array; anything else is refused before anything runs.
    const refused = await sift(
      'query',
      '--file',
      script,
      '--format',
      'csv',
      '--out',
      path.join(files, 'two.csv'),
      '--workspace',
      workspace,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--out with a script of 2 statements takes --format json');
    expect(fs.existsSync(path.join(files, 'two.csv'))).toBe(false);
    const written = await sift(
      'query',
      '--file',
      script,
      '--format',
      'json',
      '--out',
      path.join(files, 'two.json'),
      '--workspace',
      workspace,
    );
    expect(written.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(files, 'two.json'), 'utf8'))).toEqual(JSON.parse(json.stdout));
    // All or nothing: a later statement that fails prints no earlier result and writes no file.
    const failing = await sift(
      'query',
      '--sql',
      "SELECT 1 AS a; SELECT error('boom')",
      '--format',
      'json',
      '--out',
      path.join(files, 'failed.json'),
      '--workspace',
      workspace,
    );
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('boom');
    expect(fs.existsSync(path.join(files, 'failed.json'))).toBe(false);
    expect((await sift('query', '--sql', "SELECT 1 AS a; SELECT error('boom')", '--workspace', workspace)).stdout).toBe(
      '',
    );
  });

  it("prints DuckDB's plan with --explain and runs nothing; a statement it may not run is refused as a run would be", async () => {
    const plan = await sift(
      'query',
      '--sql',
      'SELECT reason, count(*) AS n FROM reports WHERE created_at > $since GROUP BY 1',
      '--param',
      'since=2024-01-01',
      '--explain',
      '--workspace',
      workspace,
    );
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('HASH_GROUP_BY');
    const before = await sift(
      'query',
      '--sql',
      'SELECT count(*) AS n FROM reports',
      '--format',
      'json',
      '--workspace',
      workspace,
    );
    const refused = await sift('query', '--sql', 'DELETE FROM reports', '--explain', '--workspace', workspace);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('read-only');
    const written = await sift(
      'query',
      '--sql',
      'DELETE FROM reports',
      '--explain',
      '--allow-writes',
      '--workspace',
      workspace,
    );
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('DELETE');
    expect(
      (await sift('query', '--sql', 'SELECT count(*) AS n FROM reports', '--format', 'json', '--workspace', workspace))
        .stdout,
    ).toBe(before.stdout);
  });

  it('exits non-zero with the SQL error and its position', async () => {
    const failed = await sift('query', '--sql', 'SELECT nope FROM reports', '--workspace', workspace);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Referenced column "nope" not found.*\(line 1, column 8\)/);
    const guarded = await sift(
      'query',
      '--sql',
      'DELETE FROM label_events',
      '--allow-writes',
      '--workspace',
      workspace,
    );
    expect(guarded.code).toBe(1);
    expect(guarded.stderr).toContain('Can only delete from base table');
    const shadow = await sift(
      'query',
      '--sql',
      'CREATE TABLE label_events AS SELECT 1 AS x',
      '--allow-writes',
      '--workspace',
      workspace,
    );
    expect(shadow.code).toBe(1);
    expect(shadow.stderr).toContain('belongs to Sift');
  });

  it('runs a report file, casting --param values by the declared types, and names a bad one', async () => {
    const report = writeTemp(
      files,
      'spam-since.sql',
      '-- [params]\n-- datetime :since = 2024-03-01 00:00\n-- string :reason = spam\nSELECT count(*) AS n FROM reports WHERE reason = :reason AND created_at >= :since',
    );
    const all = await sift('query', '--file', report, '--format', 'json', '--workspace', workspace);
    const late = await sift(
      'query',
      '--file',
      report,
      '--param',
      'since=2024-03-12 00:00',
      '--format',
      'json',
      '--workspace',
      workspace,
    );
    const [allCount, lateCount] = [all, late].map((out) => (JSON.parse(out.stdout) as { n: number }[])[0]!.n);
    expect(allCount).toBeGreaterThan(lateCount!);
    expect(lateCount).toBeGreaterThan(0);
    const bad = await sift('query', '--file', report, '--param', 'since=soon', '--workspace', workspace);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'sift: Parameter :since (datetime): "soon" is not a date-time (YYYY-MM-DD HH:MM:SS).',
    );
    const undeclared = await sift('query', '--file', report, '--param', 'until=2024-01-01', '--workspace', workspace);
    expect(undeclared.stderr).toContain('declares no parameter :until');
  });
});
