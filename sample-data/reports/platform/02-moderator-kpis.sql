-- name: Moderator resolutions and KPIs
-- description: Per human moderator: decisions made, by kind, and average minutes from the first report on an item to the decision.
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00

WITH first_report AS (
  SELECT content_id, min(created_at) AS reported_at FROM reports GROUP BY content_id
)
SELECT a.actor_id AS moderator,
       count(*) AS handled,
       count(*) FILTER (WHERE a.action = 'remove') AS removed,
       count(*) FILTER (WHERE a.action = 'pass') AS passed,
       count(*) FILTER (WHERE a.action NOT IN ('remove', 'pass')) AS other,
       round(avg(extract(epoch FROM a.created_at - f.reported_at) / 60), 1) AS avg_resolution_minutes,
       round(median(extract(epoch FROM a.created_at - f.reported_at) / 60), 1) AS median_resolution_minutes
FROM moderation_actions a
JOIN first_report f USING (content_id)
WHERE a.actor_type = 'human'
  AND a.created_at >= :start_time AND a.created_at < :end_time
GROUP BY a.actor_id
ORDER BY handled DESC
