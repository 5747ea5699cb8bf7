-- name: Who is reporting
-- description: Reporters by volume, with the share of their reports that led to enforcement.
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00
-- int :min_reports = 1

WITH enforced AS (
  SELECT DISTINCT content_id FROM moderation_actions
  WHERE action IN ('remove', 'warn', 'hide', 'escalate')
)
SELECT r.reporter_id,
       u.username,
       count(*) AS reports,
       count(e.content_id) AS enforced,
       round(100.0 * count(e.content_id) / count(*), 1) AS enforced_pct,
       count(DISTINCT r.reason) AS reasons_used
FROM reports r
LEFT JOIN users u ON u.user_id = r.reporter_id
LEFT JOIN enforced e ON e.content_id = r.content_id
WHERE r.created_at >= :start_time AND r.created_at < :end_time
GROUP BY r.reporter_id, u.username
HAVING count(*) >= :min_reports
ORDER BY reports DESC, r.reporter_id
