import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { suggestMappings } from '../../shared/canonical';
import type { QueryResult, SavedMapping, TableInfo } from '../../shared/contract';
import { call, importFile, openTempHost, tempDir, writeTemp } from './support';

describe('suggesting a canonical table from column names', () => {
  it('recognises a reports export by its columns and names', () => {
    const [best] = suggestMappings(['flag_id', 'post_id', 'flagger_id', 'flag_type', 'timestamp'], 'flags');
    expect(best!.canonicalTable).toBe('reports');
    expect(best!.columns).toEqual({ report_id: 'flag_id', content_id: 'post_id', reporter_id: 'flagger_id', reason: 'flag_type', created_at: 'timestamp' });
  });

  it('recognises content and leaves unmatched columns empty', () => {
    const [best] = suggestMappings(['id', 'author_id', 'body', 'lang', 'created', 'extra_column']);
    expect(best!.canonicalTable).toBe('content');
    expect(best!.columns).toMatchObject({ content_id: 'id', user_id: 'author_id', text: 'body', language: 'lang', created_at: 'created', surface: null, image_emb: null });
  });

  it('never suggests a Sift-owned table', () => {
    expect(suggestMappings(['event_id', 'session_id', 'content_id', 'annotator_id']).map((s) => s.canonicalTable)).not.toContain('label_events');
  });
});

describe('saving a mapping', () => {
  let host: Host;
  beforeAll(async () => {
    ({ host } = await openTempHost());
    await importFile(host, writeTemp(tempDir(), 'flags.csv', 'flag_id,post_id,flagger_id,flag_type,timestamp\n1,p1,u1,spam,2024-03-01 10:00:00\n2,p2,u2,off_topic,2024-03-01 11:00:00\n'));
  });
  afterAll(async () => host.close());

  it('creates the canonical view with renamed columns and remembers the mapping', async () => {
    const saved = await call<SavedMapping>(host, 'mapping.save', {
      sourceTable: 'flags',
      canonicalTable: 'reports',
      columns: { report_id: 'flag_id', content_id: 'post_id', reporter_id: 'flagger_id', reason: 'flag_type', created_at: 'timestamp' },
    });
    expect(saved.canonicalTable).toBe('reports');
    const result = await call<QueryResult>(host, 'query.run', { queryId: 'm', sql: 'SELECT report_id, reason, created_at FROM reports ORDER BY report_id' });
    expect(result.rows).toEqual([['1', 'spam', '2024-03-01 10:00:00'], ['2', 'off_topic', '2024-03-01 11:00:00']]);
    expect(await call<SavedMapping[]>(host, 'mapping.list', {})).toMatchObject([{ sourceTable: 'flags', canonicalTable: 'reports' }]);
    const tables = await call<TableInfo[]>(host, 'tables.list', {});
    expect(tables.find((t) => t.name === 'flags')?.mappedTo).toBe('reports');
  });

  it('rejects an unknown canonical table, column or source column with the field named', async () => {
    expect(await host.dispatch('mapping.save', { sourceTable: 'flags', canonicalTable: 'label_events', columns: {} })).toMatchObject({ ok: false, error: { message: expect.stringContaining('canonicalTable:') } });
    expect(await host.dispatch('mapping.save', { sourceTable: 'flags', canonicalTable: 'reports', columns: { nope: 'flag_id' } })).toMatchObject({ ok: false, error: { message: expect.stringContaining('columns: "nope"') } });
    expect(await host.dispatch('mapping.save', { sourceTable: 'flags', canonicalTable: 'reports', columns: { reason: 'missing' } })).toMatchObject({ ok: false, error: { message: expect.stringContaining('columns.reason') } });
    expect(await host.dispatch('mapping.save', { sourceTable: 'ghost', canonicalTable: 'reports', columns: {} })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
