-- name: Time to removal, median and p95
-- description: Per category of the removal, and over all: minutes from the earlier of an item's first report and first model flag to its first removal, median and 95th percentile (docs/release-gates.md).

WITH delays AS (
  WITH first_report AS (SELECT content_id, min(created_at) AS at FROM reports WHERE content_id IS NOT NULL GROUP BY content_id),
  first_flag AS (
    SELECT content_id, min(created_at) AS at FROM moderation_actions
    WHERE actor_type = 'model' AND action IN ('remove', 'escalate') AND content_id IS NOT NULL GROUP BY content_id),
  first_remove AS (
    SELECT content_id, min(created_at) AS at, arg_min(category, created_at) AS category FROM moderation_actions
    WHERE action = 'remove' AND content_id IS NOT NULL GROUP BY content_id),
  timed AS (
    SELECT r.content_id, r.category, least(fr.at, ff.at) AS started_at, r.at AS removed_at
    FROM first_remove r LEFT JOIN first_report fr ON fr.content_id = r.content_id
    LEFT JOIN first_flag ff ON ff.content_id = r.content_id)
  SELECT content_id, category, started_at, removed_at,
         date_diff('millisecond', started_at, removed_at) / 1000.0 AS seconds
  FROM timed WHERE started_at IS NOT NULL AND started_at <= removed_at)
SELECT CASE WHEN grouping(category) = 1 THEN '(all)' ELSE coalesce(category, '(no category)') END AS category,
       count(*) AS removals,
       round(quantile_cont(seconds, 0.5) / 60, 1) AS p50_minutes,
       round(quantile_cont(seconds, 0.95) / 60, 1) AS p95_minutes
FROM delays
GROUP BY ROLLUP (category)
ORDER BY grouping(category) DESC, category NULLS LAST
