-- name: Moderation activity by hour and reason
-- description: Flags reviewed per hour of the day (UTC), by the reason they were flagged for.
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31

SELECT extract(hour FROM rs.reviewed_at) AS hour_utc,
       pat.name_key AS reason,
       count(*) AS reviewed
FROM reviewable_scores rs
JOIN post_action_types pat ON pat.id = rs.reviewable_score_type
WHERE rs.reviewed_at IS NOT NULL
  AND rs.reviewed_at >= :start_date
  AND rs.reviewed_at < :end_date + INTERVAL '1 day'
GROUP BY 1, 2
ORDER BY hour_utc, reviewed DESC
