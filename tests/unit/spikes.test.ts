/** The spike view finds the incident the sample generator injected, and the drill-down explains it. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';

import { call, tempDir } from './support';

interface Incident {
  kind: string;
  start: string;
  end: string;
  accounts?: string[];
  posts?: number;
  top_terms?: string[];
}

let host: Host;
let incident: Incident;
let versionChange: Incident;

beforeAll(async () => {
  const dir = path.join(tempDir('sift-spike-'), 'ws');
  await (await createSampleWorkspace(dir, { kind: 'platform' })).close();
  host = await Host.open(dir, { remember: false });
  const incidents = JSON.parse(fs.readFileSync(path.join(dir, 'incidents.json'), 'utf8')) as Incident[];
  incident = incidents.find((i) => i.kind === 'coordinated_link_spam')!;
  versionChange = incidents.find((i) => i.kind === 'model_version_change')!;
});
afterAll(async () => host?.close());

describe('spike overview', () => {
  it('marks the injected incident as the strongest window, on the spam series', async () => {
    const overview = await call(host, 'spike.overview', {
      source: 'reports',
      by: 'reason',
      bucket: 'hour',
      threshold: 3,
    });
    const top = overview.windows[0]!;
    expect(top.series).toBe('spam');
    // The marked window lies inside the incident (reports trail the posts by minutes, so it may run a little past).
    expect(Date.parse(top.start)).toBeGreaterThanOrEqual(Date.parse(incident.start));
    expect(Date.parse(top.start)).toBeLessThan(Date.parse(incident.end));
    expect(Date.parse(top.end)).toBeLessThanOrEqual(Date.parse(incident.end) + 2 * 3_600_000);
    expect(top.z).toBeGreaterThan(10);
    expect(top.count).toBeGreaterThan(5 * top.expected);
    // No other spam window comes close.
    for (const other of overview.windows.slice(1)) expect(other.z).toBeLessThan(top.z / 2);
    expect(overview.buckets).toHaveLength(14 * 24);
    expect(overview.series.map((s) => s.name)).toContain('spam');
  });

  it('shows the model version change as a marker before the spike, at its first use in the logs', async () => {
    const overview = await call(host, 'spike.overview', {});
    expect(overview.markers).toHaveLength(1);
    expect(overview.markers[0]).toMatchObject({ model: 'text-distil', previous: '2024.02.1', version: '2024.03.0' });
    // The first moderation action that names 2024.03.0 comes minutes after the switch the generator recorded.
    const lag = Date.parse(overview.markers[0]!.at) - Date.parse(versionChange.start);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(10 * 60_000);
  });

  it('does not take a re-score for a deployment, and uses a deployment date a user sets', async () => {
    const before = await call(host, 'spike.overview', {});
    const { jobId } = await call(host, 'models.score', {
      model: 'text-distil',
      sql: "SELECT content_id, text FROM content WHERE content_id < 'c00000100'",
    });
    expect((await host.jobs.wait(jobId)).status).toBe('done');
    const after = await call(host, 'spike.overview', {});
    expect(after.markers).toEqual(before.markers);
    expect(after.buckets).toEqual(before.buckets);
    // The user knows 2026.11.1 went live on 5 March (inside the timeline); a date outside it draws no marker.
    await call(host, 'models.setDeployment', {
      model: 'text-distil',
      version: '2026.11.1',
      deployedAt: '2024-03-05T06:00:00Z',
    });
    const set = await call(host, 'spike.overview', {});
    expect(set.markers).toContainEqual({
      at: '2024-03-05T06:00:00.000Z',
      model: 'text-distil',
      version: '2026.11.1',
      previous: '2024.02.1',
    });
    await call(host, 'models.setDeployment', {
      model: 'text-distil',
      version: '2026.11.1',
      deployedAt: '2030-01-01T00:00:00Z',
    });
    expect((await call(host, 'spike.overview', {})).markers).toEqual(before.markers);
    await call(host, 'models.setDeployment', { model: 'text-distil', version: '2026.11.1', deployedAt: null });
    expect((await call(host, 'spike.overview', {})).markers).toEqual(before.markers);
  });

  it('breaks out by surface and language through the content table, and by category for actions', async () => {
    const byLanguage = await call(host, 'spike.overview', { by: 'language' });
    expect(byLanguage.windows[0]!.series).toBe('en');
    const actions = await call(host, 'spike.overview', {
      source: 'actions',
      by: 'category',
      bucket: 'day',
    });
    expect(actions.buckets).toHaveLength(14);
    expect(await host.dispatch('spike.overview', { source: 'actions', by: 'reason' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('by: actions can be broken out by') },
    });
  });
});

describe('spike drill-down', () => {
  it('finds the campaign’s terms, its near-duplicate cluster, and the new accounts behind it', async () => {
    const overview = await call(host, 'spike.overview', {});
    const top = overview.windows[0]!;
    const drill = await call(host, 'spike.drill', { series: top.series, start: top.start, end: top.end });
    const topTerms = drill.terms.slice(0, 10).map((t) => t.term);
    const expected = incident.top_terms!.filter((term) => topTerms.includes(term));
    expect(expected.length).toBeGreaterThanOrEqual(4);
    const cluster = drill.clusters[0]!;
    const campaignTexts = cluster.samples.filter((text) => text.includes('boostfans.example'));
    expect(campaignTexts.length).toBe(cluster.samples.length);
    const accounts = new Set(incident.accounts);
    expect(cluster.authors).toBeLessThanOrEqual(accounts.size);
    expect(cluster.newAccounts).toBe(cluster.authors);
    // Every campaign post in the window is in the cluster, and nothing else is.
    const result = await call(host, 'query.run', {
      queryId: 'c',
      sql: `SELECT count(DISTINCT r.content_id) FROM reports r JOIN content c USING (content_id) WHERE r.reason = 'spam' AND r.created_at >= '${top.start.slice(0, 19)}'::TIMESTAMP AND r.created_at < '${top.end.slice(0, 19)}'::TIMESTAMP AND c.text LIKE '%boostfans.example%'`,
    });
    expect(cluster.size).toBe(Number(result.rows[0]![0]));
    expect(drill.targets.slice(0, 5).every((target) => accounts.has(target.userId))).toBe(true);
    expect(drill.reporters.length).toBeGreaterThan(0);
    // The same drill as a job (what the UI uses): the same answer.
    const { jobId } = await call(host, 'spike.drillStart', {
      series: top.series,
      start: top.start,
      end: top.end,
    });
    const job = await host.jobs.wait(jobId);
    expect(job.status).toBe('done');
    expect(job.result).toEqual(drill);
  });

  it('rejects a window that ends before it starts', async () => {
    expect(
      await host.dispatch('spike.drill', {
        series: 'spam',
        start: '2024-03-10T18:00:00Z',
        end: '2024-03-10T14:00:00Z',
      }),
    ).toMatchObject({ ok: false, error: { message: 'end: must be after start.' } });
    expect(
      await host.dispatch('spike.drill', { series: 'spam', start: 'yesterday', end: '2024-03-10T14:00:00Z' }),
    ).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
