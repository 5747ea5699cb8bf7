/**
 * The report library's trust-and-safety metric reports (sample-data/reports/platform/1x-*.sql), written from the one
 * set of definitions in shared/releaseMetrics.ts so the library runs exactly what the Evaluate view, `sift eval --json`
 * and the gates run. `npx tsx sample-data/metricReports.ts` rewrites them; tests/unit/reports.test.ts checks that the
 * committed files are what this writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { voteOutcomeSql } from '../shared/labeling.js';
import {
  appealCountsSql,
  DEFAULT_HIGH_REACH_FRACTION,
  falsePositiveCountsSql,
  highReachCutoffSql,
  overturnItemsSql,
  queueDepthSql,
  removalDelaysSql,
} from '../shared/releaseMetrics.js';

const WINDOW = `-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00`;

export const METRIC_REPORTS: Record<string, string> = {
  '10-overturn-rate.sql': `-- name: Overturn rate by model version
-- description: Per model version and category: the items the model removed or escalated, how many of them a person later passed or restored, and the share — the earliest sign a version degrades (docs/release-gates.md).

WITH items AS (${overturnItemsSql()})
SELECT model_version, category,
       count(*) AS flagged,
       count(*) FILTER (WHERE reversed) AS reversed,
       round(100.0 * count(*) FILTER (WHERE reversed) / count(*), 2) AS overturn_pct
FROM items
GROUP BY model_version, category
ORDER BY model_version, category
`,
  '11-time-to-removal.sql': `-- name: Time to removal, median and p95
-- description: Per category of the removal, and over all: minutes from the earlier of an item's first report and first model flag to its first removal, median and 95th percentile (docs/release-gates.md).

WITH delays AS (${removalDelaysSql()})
SELECT CASE WHEN grouping(category) = 1 THEN '(all)' ELSE coalesce(category, '(no category)') END AS category,
       count(*) AS removals,
       round(quantile_cont(seconds, 0.5) / 60, 1) AS p50_minutes,
       round(quantile_cont(seconds, 0.95) / 60, 1) AS p95_minutes
FROM delays
GROUP BY ROLLUP (category)
ORDER BY grouping(category) DESC, category NULLS LAST
`,
  '12-review-queue-depth.sql': `-- name: Review queue depth over time
-- description: At the end of each hour: the escalated items no person has decided yet (docs/release-gates.md).
-- [params]
${WINDOW}

SELECT ends_at AS hour_end, depth
FROM (${queueDepthSql('hour')})
WHERE ends_at > :start_time AND ends_at <= :end_time
ORDER BY hour_end
`,
  '13-high-reach-fpr.sql': `-- name: False positives on high-reach content
-- description: Per category: among the labelled negatives in the top fraction of content by views_24h, how many a model version scores at or above the escalate threshold (docs/release-gates.md). Labels are the majority vote of current_labels.
-- [params]
-- string :model = text-distil
-- string :version = 2024.03.0
-- double :fraction = ${DEFAULT_HIGH_REACH_FRACTION}
-- double :escalate = 0.5

WITH labels AS (SELECT content_id, category, label FROM (${voteOutcomeSql('current_labels')}) WHERE label IS NOT NULL),
pairs AS (
  SELECT s.content_id, s.category, max(s.score) AS score, any_value(l.label) AS label
  FROM model_scores s JOIN labels l ON l.content_id = s.content_id AND l.category = s.category
  WHERE s.model = :model AND s.model_version = :version
  GROUP BY s.content_id, s.category),
high_reach AS (
  SELECT p.* FROM pairs p JOIN content c ON c.content_id = p.content_id
  WHERE c.views_24h >= (${highReachCutoffSql(':fraction')}))
SELECT category, negatives, false_positives, round(100.0 * false_positives / nullif(negatives, 0), 2) AS fpr_pct
FROM (${falsePositiveCountsSql('high_reach', ':escalate')})
`,
  '14-appeals.sql': `-- name: Appeals
-- description: Appeals of removals: how many, how many decided and overturned, the overturned share of the decided, and the share of removed items that were appealed (docs/release-gates.md).

WITH counts AS (${appealCountsSql()})
SELECT appeals, decided, overturned,
       round(100.0 * overturned / nullif(decided, 0), 1) AS overturned_pct,
       removed_items, appealed_items,
       round(100.0 * appealed_items / nullif(removed_items, 0), 1) AS appeal_rate_pct
FROM counts
`,
};

export const PLATFORM_REPORTS_DIR = path.resolve('sample-data/reports/platform');

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  for (const [file, text] of Object.entries(METRIC_REPORTS))
    fs.writeFileSync(path.join(PLATFORM_REPORTS_DIR, file), text);
  console.log(`Wrote ${Object.keys(METRIC_REPORTS).length} reports to ${PLATFORM_REPORTS_DIR}`);
}
