-- name: Report resolution percentages by reason
-- description: For each report reason, how many reports led to human enforcement, were passed, or are still unreviewed, with percentages.
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00

WITH decisions AS (
  SELECT content_id,
         bool_or(action IN ('remove', 'warn', 'hide', 'escalate', 'suspend')) AS enforced,
         bool_or(action = 'pass') AS passed
  FROM moderation_actions
  WHERE actor_type = 'human'
  GROUP BY content_id
)
SELECT r.reason,
       count(*) AS reports,
       count(*) FILTER (WHERE d.enforced) AS enforced,
       count(*) FILTER (WHERE NOT coalesce(d.enforced, false) AND d.passed) AS passed,
       count(*) FILTER (WHERE d.content_id IS NULL) AS unreviewed,
       round(100.0 * count(*) FILTER (WHERE d.enforced) / count(*), 1) AS enforced_pct,
       round(100.0 * count(*) FILTER (WHERE NOT coalesce(d.enforced, false) AND d.passed) / count(*), 1) AS passed_pct
FROM reports r
LEFT JOIN decisions d USING (content_id)
WHERE r.created_at >= :start_time AND r.created_at < :end_time
GROUP BY r.reason
ORDER BY reports DESC
