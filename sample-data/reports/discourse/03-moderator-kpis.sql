-- name: Moderator resolutions and KPIs
-- description: Per staff member: flags handled, how they were resolved, and the average minutes from flag to decision.
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31

SELECT u.username AS moderator,
       count(*) AS handled_flags,
       count(*) FILTER (WHERE rs.status = 1) AS agreed,
       count(*) FILTER (WHERE rs.status = 2) AS disagreed,
       count(*) FILTER (WHERE rs.status = 3) AS ignored,
       round(avg(extract(epoch FROM rs.reviewed_at - rs.created_at) / 60), 1) AS avg_resolution_minutes,
       round(median(extract(epoch FROM rs.reviewed_at - rs.created_at) / 60), 1) AS median_resolution_minutes
FROM reviewable_scores rs
JOIN users u ON u.id = rs.reviewed_by_id
WHERE rs.reviewed_at IS NOT NULL
  AND rs.reviewed_at >= :start_date
  AND rs.reviewed_at < :end_date + INTERVAL '1 day'
GROUP BY u.username
ORDER BY handled_flags DESC
