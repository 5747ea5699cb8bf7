/**
 * "Why did reports spike?" Bucketed counts per series are computed in DuckDB; baselines, z-scores and windows
 * come from shared/spikeStats; the drill-down contrasts a window's content with the week before it (terms),
 * finds near-duplicate clusters, and lists who reported and who was reported.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SpikeBucket, SpikeDimension, SpikeDrill, SpikeOverview, SpikeSource } from '../../../shared/contract.js';
import { SPIKE_SOURCE_TABLES } from '../../../shared/canonical.js';
import { SiftError } from '../../../shared/errors.js';
import {
  DEFAULT_MIN_COUNT,
  DEFAULT_THRESHOLD,
  judgeRule,
  judgeSeries,
  markWindows,
} from '../../../shared/spikeStats.js';
import { logOddsTerms, termCounts } from '../../../shared/termContrast.js';
import { computePool } from '../compute/workerPool.js';
import { clusterNearDuplicatesTask } from './computeTasks.js';
import { describeCluster, drillMediaClusters } from './drillClusters.js';
import type { JobContext } from '../jobs.js';
import { discourseAccountsSql } from '../workspace/discourseViews.js';
import type { Workspace } from '../workspace/workspace.js';

const BUCKET_MS: Record<SpikeBucket, number> = { '15min': 15 * 60_000, hour: 3_600_000, day: 86_400_000 };
const BUCKET_SQL: Record<SpikeBucket, string> = {
  '15min': "INTERVAL '15 minutes'",
  hour: "INTERVAL '1 hour'",
  day: "INTERVAL '1 day'",
};
const MAX_SERIES = 12;
const BASELINE_DAYS = 7;

interface SourceSpec {
  table: string;
  alias: string;
  dimensions: Partial<Record<SpikeDimension, string>>;
}

const SOURCES: Record<SpikeSource, SourceSpec> = {
  reports: {
    table: SPIKE_SOURCE_TABLES.reports,
    alias: 'r',
    dimensions: { reason: 'r.reason', surface: 'c.surface', language: 'c.language', total: "'all'" },
  },
  actions: {
    table: SPIKE_SOURCE_TABLES.actions,
    alias: 'r',
    dimensions: {
      category: "coalesce(r.category, '(none)')",
      action: 'r.action',
      surface: 'c.surface',
      language: 'c.language',
      total: "'all'",
    },
  },
};

const iso = (ms: number) => new Date(ms).toISOString();

function dimensionSql(source: SpikeSource, by: SpikeDimension): string {
  const sql = SOURCES[source].dimensions[by];
  if (!sql) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `by: ${source} can be broken out by ${Object.keys(SOURCES[source].dimensions).join(', ')}, not by ${by}.`,
    });
  }
  return sql;
}

async function requireTables(conn: DuckDBConnection, tables: string[]): Promise<void> {
  const reader = await conn.runAndReadAll(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`,
  );
  const present = new Set(reader.getRowsJson().map((row) => String(row[0])));
  const missing = tables.filter((table) => !present.has(table));
  if (missing.length > 0) {
    throw new SiftError({
      code: 'NOT_FOUND',
      message: `The spike view needs the canonical table(s) ${missing.join(', ')}: import your logs and map them onto those names.`,
    });
  }
}

/**
 * When each account was made, keyed by user id as text: the canonical `users`, Discourse's `users` (keyed by id),
 * or nothing known (a workspace without users, or whose users lack the columns).
 */
async function accountsSql(conn: DuckDBConnection): Promise<string> {
  const discourse = await discourseAccountsSql(conn);
  if (discourse) return discourse;
  const columns = (
    await conn.runAndReadAll(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'users'`,
    )
  )
    .getRowsJson()
    .map((row) => String(row[0]));
  return columns.includes('user_id') && columns.includes('created_at')
    ? 'SELECT user_id::VARCHAR AS user_id, created_at::TIMESTAMP AS created_at FROM users'
    : 'SELECT NULL::VARCHAR AS user_id, NULL::TIMESTAMP AS created_at WHERE false';
}

function fromClause(source: SpikeSource, by: SpikeDimension): string {
  const spec = SOURCES[source];
  const needsContent = by === 'surface' || by === 'language';
  return `${spec.table} ${spec.alias}${needsContent ? ' JOIN content c USING (content_id)' : ''}`;
}

export async function spikeOverview(
  workspace: Workspace,
  options: { source?: SpikeSource; by?: SpikeDimension; bucket?: SpikeBucket; threshold?: number; minCount?: number },
): Promise<SpikeOverview> {
  const source = options.source ?? 'reports';
  const by = options.by ?? (source === 'reports' ? 'reason' : 'category');
  const bucket = options.bucket ?? 'hour';
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const minCount = options.minCount ?? DEFAULT_MIN_COUNT;
  const dimension = dimensionSql(source, by);
  return workspace.withConnection(async (conn) => {
    await requireTables(conn, [SOURCES[source].table, ...(by === 'surface' || by === 'language' ? ['content'] : [])]);
    const reader = await conn.runAndReadAll(`
      SELECT epoch_ms(time_bucket(${BUCKET_SQL[bucket]}, r.created_at::TIMESTAMP)) AS bucket, ${dimension}::VARCHAR AS series, count(*) AS n
      FROM ${fromClause(source, by)}
      WHERE r.created_at IS NOT NULL
      GROUP BY ALL`);
    const rows = reader
      .getRowsJson()
      .map(([time, series, n]) => ({ time: Number(time), series: String(series ?? '(none)'), n: Number(n) }));
    const step = BUCKET_MS[bucket];
    const rule = judgeRule(bucket, threshold, minCount);
    const baselineRule = {
      trailing: rule.options.period,
      season: rule.options.period,
      week: rule.options.week,
      seasons: rule.options.seasons,
      minSeasons: rule.options.minSeasons,
      threshold,
      minCount,
    };
    if (rows.length === 0)
      return { source, by, bucket, buckets: [], series: [], windows: [], markers: [], baselineRule };
    const first = Math.min(...rows.map((row) => row.time));
    const last = Math.max(...rows.map((row) => row.time));
    const bucketCount = Math.round((last - first) / step) + 1;
    const bySeries = new Map<string, number[]>();
    for (const row of rows) {
      const counts = bySeries.get(row.series) ?? new Array<number>(bucketCount).fill(0);
      counts[Math.round((row.time - first) / step)]! += row.n;
      bySeries.set(row.series, counts);
    }
    const all = [...bySeries.entries()].map(([name, counts]) => {
      const stats = judgeSeries({ counts }, rule);
      return { name, counts, stats, total: counts.reduce((a, b) => a + b, 0) };
    });
    all.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
    const windows = all
      .flatMap((series) => markWindows(series.name, { counts: series.counts }, series.stats))
      .sort((a, b) => b.z - a.z)
      .map((window) => ({
        series: window.series,
        start: iso(first + window.first * step),
        end: iso(first + (window.last + 1) * step),
        z: Math.round(window.z * 100) / 100,
        count: window.count,
        expected: Math.round(window.expected * 10) / 10,
      }));
    return {
      source,
      by,
      bucket,
      buckets: Array.from({ length: bucketCount }, (_, i) => iso(first + i * step)),
      series: all.slice(0, MAX_SERIES).map((series) => ({
        name: series.name,
        total: series.total,
        counts: series.counts,
        baseline: series.stats.expected.map((v) => (v === null ? null : Math.round(v * 100) / 100)),
        spread: series.stats.spread.map((v) => (v === null ? null : Math.round(v * 100) / 100)),
        z: series.stats.z.map((v) => (v === null ? null : Math.round(v * 100) / 100)),
      })),
      baselineRule,
      windows,
      // Only deployments inside the timeline: a marker never stretches it (a re-score years later is not one anyway).
      markers: (await versionChanges(conn, await userDeployments(workspace))).filter(
        (marker) => Date.parse(marker.at) >= first && Date.parse(marker.at) < last + step,
      ),
    };
  });
}

/**
 * When each model version was deployed: the date a user set for it, else its first use in the logs
 * (`moderation_actions.model_version`). Scoring time is not deployment time: a re-score writes scores, it does not
 * put a version in front of users. Versions with neither get no marker.
 */
async function versionChanges(conn: DuckDBConnection, userSet: Deployment[]): Promise<SpikeOverview['markers']> {
  const reader = await conn.runAndReadAll(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name IN ('model_scores', 'moderation_actions')`,
  );
  const tables = new Set(reader.getRowsJson().map((row) => String(row[0])));
  const firstUse = tables.has('moderation_actions')
    ? (
        (
          await conn.runAndReadAll(
            `SELECT model_version::VARCHAR, epoch_ms(min(created_at::TIMESTAMP)) FROM moderation_actions WHERE model_version IS NOT NULL GROUP BY 1`,
          )
        ).getRowsJson() as [string, number][]
      ).map(([version, at]) => ({ version, at: Number(at) }))
    : [];
  // The model each version belongs to, from the scores (actions name the version only).
  const owners = tables.has('model_scores')
    ? ((
        await conn.runAndReadAll(
          `SELECT DISTINCT model::VARCHAR, model_version::VARCHAR FROM model_scores WHERE model_version IS NOT NULL`,
        )
      ).getRowsJson() as [string, string][])
    : [];
  const modelOf = new Map<string, string>();
  for (const [model, version] of owners) modelOf.set(version, model);
  const deployed = new Map<string, { model: string; version: string; at: number }>();
  for (const use of firstUse) {
    const model = modelOf.get(use.version) ?? (owners.length === 0 ? 'model' : undefined);
    if (model) deployed.set(`${model}\u0000${use.version}`, { model, version: use.version, at: use.at });
  }
  for (const entry of userSet)
    deployed.set(`${entry.model}\u0000${entry.version}`, {
      model: entry.model,
      version: entry.version,
      at: Date.parse(entry.deployedAt),
    });
  const rows = [...deployed.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.at - b.at));
  const markers: SpikeOverview['markers'] = [];
  rows.forEach((row, index) => {
    const previous = rows[index - 1];
    if (previous && previous.model === row.model)
      markers.push({ at: iso(row.at), model: row.model, version: row.version, previous: previous.version });
  });
  return markers;
}

export interface Deployment {
  model: string;
  version: string;
  deployedAt: string;
}

const DEPLOYMENTS_DDL =
  'CREATE TABLE IF NOT EXISTS model_deployments (model VARCHAR, version VARCHAR, deployed_at TIMESTAMP, set_at TIMESTAMP, PRIMARY KEY (model, version))';

/** Deployment dates users set, from Sift's store. */
export async function userDeployments(workspace: Workspace): Promise<Deployment[]> {
  return workspace.withStore(async (conn) => {
    await conn.run(DEPLOYMENTS_DDL);
    const rows = (
      await conn.runAndReadAll(
        `SELECT model, version, strftime(deployed_at, '%Y-%m-%dT%H:%M:%SZ') FROM model_deployments ORDER BY deployed_at`,
      )
    ).getRowsJson() as [string, string, string][];
    return rows.map(([model, version, deployedAt]) => ({ model, version, deployedAt }));
  });
}

/** Sets (or, with null, clears) when a model version was deployed; a cleared one falls back to the logs. */
export async function setDeployment(
  workspace: Workspace,
  input: { model: string; version: string; deployedAt: string | null },
): Promise<Deployment[]> {
  await workspace.withStore(async (conn) => {
    await conn.run(DEPLOYMENTS_DDL);
    await conn.run('DELETE FROM model_deployments WHERE model = $model AND version = $version', {
      model: input.model,
      version: input.version,
    });
    if (input.deployedAt !== null) {
      await conn.run(
        `INSERT INTO model_deployments VALUES ($model, $version, $at::TIMESTAMPTZ AT TIME ZONE 'UTC', now()::TIMESTAMP)`,
        { model: input.model, version: input.version, at: new Date(input.deployedAt).toISOString() },
      );
    }
  });
  return userDeployments(workspace);
}

export async function spikeDrill(
  workspace: Workspace,
  options: { source?: SpikeSource; by?: SpikeDimension; series: string; start: string; end: string },
  ctx?: JobContext,
): Promise<SpikeDrill> {
  const source = options.source ?? 'reports';
  const by = options.by ?? (source === 'reports' ? 'reason' : 'category');
  const dimension = dimensionSql(source, by);
  const start = new Date(options.start);
  const end = new Date(options.end);
  if (!(end > start)) throw new SiftError({ code: 'BAD_REQUEST', message: 'end: must be after start.' });
  const baselineStart = new Date(start.getTime() - BASELINE_DAYS * 86_400_000);
  return workspace.withConnection(async (conn) => {
    await requireTables(conn, [SOURCES[source].table, 'content']);
    const filter = by === 'total' ? 'TRUE' : `${dimension}::VARCHAR = $series`;
    const needsContentJoin = by === 'surface' || by === 'language';
    const from = `${SOURCES[source].table} r${needsContentJoin ? ' JOIN content c USING (content_id)' : ''}`;
    const params = (from: Date, to: Date) => ({
      from: from.toISOString(),
      to: to.toISOString(),
      ...(by === 'total' ? {} : { series: options.series }),
    });
    const itemsSql = `
      SELECT ct.content_id, ct.user_id::VARCHAR AS user_id, ct.text, epoch_ms(ct.created_at::TIMESTAMP) AS created, epoch_ms(u.created_at::TIMESTAMP) AS account_created
      FROM (SELECT DISTINCT r.content_id FROM ${from} WHERE r.created_at >= $from::TIMESTAMP AND r.created_at < $to::TIMESTAMP AND ${filter}) hit
      JOIN content ct USING (content_id)
      LEFT JOIN (${await accountsSql(conn)}) u ON u.user_id = ct.user_id::VARCHAR
      ORDER BY ct.created_at, ct.content_id
      LIMIT 20000`;
    const runItems = async (from: Date, to: Date) =>
      (await conn.runAndReadAll(itemsSql, params(from, to)))
        .getRowsJson()
        .map(([contentId, userId, text, created, accountCreated]) => ({
          contentId: String(contentId),
          userId: String(userId),
          text: String(text ?? ''),
          created: Number(created),
          accountCreated: accountCreated === null ? null : Number(accountCreated),
        }));
    ctx?.progress(null, 'Reading the window and its baseline');
    const focus = await runItems(start, end);
    const baseline = await runItems(baselineStart, start);
    if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Drill-down cancelled.' });
    ctx?.progress(null, `Clustering ${focus.length.toLocaleString('en-US')} items`);
    // MinHash over the window runs in the compute pool, off the engine's event loop.
    const found = await computePool()
      .run(clusterNearDuplicatesTask, [focus.map((item) => item.text), 0.5, 3], { signal: ctx?.signal })
      .catch((error: unknown) => {
        if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Drill-down cancelled.' });
        throw error;
      });
    const terms = logOddsTerms(
      termCounts(focus.map((item) => item.text)),
      termCounts(baseline.map((item) => item.text)),
    )
      .slice(0, 25)
      .map((term) => ({
        term: term.term,
        focusCount: term.focusCount,
        baselineCount: term.baselineCount,
        z: Math.round(term.z * 100) / 100,
      }));
    const newWithinMs = BASELINE_DAYS * 86_400_000;
    const clusters = found.slice(0, 10).map((cluster) => {
      const members = cluster.members.map((index) => focus[index]!);
      return {
        ...describeCluster(members, start, newWithinMs),
        samples: [...new Set(members.map((item) => item.text))].slice(0, 3),
      };
    });
    ctx?.progress(null, 'Clustering the same pictures');
    const mediaClusters = await drillMediaClusters(workspace, focus, start, newWithinMs);
    const reporterColumn = source === 'reports' ? 'r.reporter_id' : 'r.actor_id';
    const reporters = (
      await conn.runAndReadAll(
        `SELECT ${reporterColumn}::VARCHAR, count(*) AS n FROM ${from} WHERE r.created_at >= $from::TIMESTAMP AND r.created_at < $to::TIMESTAMP AND ${filter} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10`,
        params(start, end),
      )
    )
      .getRowsJson()
      .map(([reporterId, n]) => ({ reporterId: String(reporterId), reports: Number(n) }));
    const targets = (
      await conn.runAndReadAll(
        `SELECT ct.user_id::VARCHAR, count(*) AS n, count(DISTINCT r.content_id) AS items
         FROM ${from} JOIN content ct ON ct.content_id = r.content_id
         WHERE r.created_at >= $from::TIMESTAMP AND r.created_at < $to::TIMESTAMP AND ${filter}
         GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10`,
        params(start, end),
      )
    ).getRowsJson();
    const accountCreated = new Map(focus.map((item) => [item.userId, item.accountCreated]));
    return {
      items: focus.length,
      baselineItems: baseline.length,
      terms,
      clusters,
      mediaClusters,
      reporters,
      targets: targets.map(([userId, n, items]) => {
        const created = accountCreated.get(String(userId));
        return {
          userId: String(userId),
          reports: Number(n),
          items: Number(items),
          accountCreatedAt: created === null || created === undefined ? null : iso(created),
        };
      }),
    };
  });
}
