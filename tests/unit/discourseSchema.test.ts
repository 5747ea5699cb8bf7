/**
 * Discourse fidelity: the forum sample carries every column Discourse's own schema gives each of its tables, in
 * Discourse's order and with matching types, so a report written for a real Discourse database runs unchanged.
 * The expected lists are Discourse's model schema annotations (tests/fixtures/discourse-schema.txt), read here
 * independently of the generator's own list (sample-data/discourseSchema.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';

const RAILS_TO_DUCKDB: Record<string, string> = {
  integer: 'INTEGER',
  bigint: 'BIGINT',
  string: 'VARCHAR',
  text: 'VARCHAR',
  inet: 'VARCHAR',
  datetime: 'TIMESTAMP',
  date: 'DATE',
  boolean: 'BOOLEAN',
  float: 'DOUBLE',
  json: 'JSON',
};

function annotations(): Map<string, [string, string][]> {
  const tables = new Map<string, [string, string][]>();
  let current: [string, string][] | null = null;
  for (const line of fs.readFileSync('tests/fixtures/discourse-schema.txt', 'utf8').split('\n')) {
    const header = /^## (\w+)/.exec(line);
    if (header) tables.set(header[1]!, (current = []));
    const column = /^(\w+) :(\w+)$/.exec(line);
    if (column && current) current.push([column[1]!, RAILS_TO_DUCKDB[column[2]!] ?? `unknown rails type ${column[2]}`]);
  }
  return tables;
}

describe('the Discourse-shaped sample', () => {
  const expected = annotations();

  it('reads ten tables from the annotations, with their known headline columns', () => {
    expect([...expected.keys()].sort()).toEqual([
      'categories',
      'post_action_types',
      'post_actions',
      'posts',
      'reviewable_scores',
      'reviewables',
      'topics',
      'user_histories',
      'user_warnings',
      'users',
    ]);
    expect(expected.get('reviewables')).toContainEqual(['potentially_illegal', 'BOOLEAN']);
    expect(expected.get('users')).toContainEqual(['flag_level', 'INTEGER']);
    expect(expected.get('posts')!.length).toBe(51);
  });

  it("has exactly Discourse's columns, in order and typed alike, for every table", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      for (const [table, columns] of expected) {
        const file = path.join('sample-data/discourse', `${table}.parquet`).replace(/'/g, "''");
        const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`))
          .getRowsJson()
          .map((row) => [String(row[0]), String(row[1])]);
        expect(described, table).toEqual(columns);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
