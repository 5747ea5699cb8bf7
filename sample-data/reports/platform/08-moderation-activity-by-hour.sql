-- name: Moderation activity by hour and reason
-- chart: {"type":"heatmap","x":"hour_utc","y":"actions","series":"category","aggregate":"sum"}
-- description: Moderation actions per hour of the day (UTC), by policy category.
-- [params]
-- datetime :start_time = 2024-03-01 00:00:00
-- datetime :end_time = 2024-03-16 00:00:00

SELECT extract(hour FROM created_at) AS hour_utc,
       coalesce(category, '(none)') AS category,
       count(*) AS actions
FROM moderation_actions
WHERE created_at >= :start_time AND created_at < :end_time
GROUP BY 1, 2
ORDER BY hour_utc, actions DESC
