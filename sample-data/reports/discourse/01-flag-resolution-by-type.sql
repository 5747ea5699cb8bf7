-- name: Flag resolution percentages by flag type
-- description: For each flag type, how many flags staff agreed with, disagreed with, ignored (deferred) or left pending, with percentages.
-- [params]
-- date :start_date = 2024-01-01
-- date :end_date = 2024-12-31

SELECT pat.name_key AS flag_type,
       count(*) AS flags,
       count(*) FILTER (WHERE pa.agreed_at IS NOT NULL) AS agreed,
       count(*) FILTER (WHERE pa.disagreed_at IS NOT NULL) AS disagreed,
       count(*) FILTER (WHERE pa.deferred_at IS NOT NULL) AS ignored,
       count(*) FILTER (WHERE pa.agreed_at IS NULL AND pa.disagreed_at IS NULL AND pa.deferred_at IS NULL) AS pending,
       round(100.0 * count(*) FILTER (WHERE pa.agreed_at IS NOT NULL) / count(*), 1) AS agreed_pct,
       round(100.0 * count(*) FILTER (WHERE pa.disagreed_at IS NOT NULL) / count(*), 1) AS disagreed_pct,
       round(100.0 * count(*) FILTER (WHERE pa.deferred_at IS NOT NULL) / count(*), 1) AS ignored_pct
FROM post_actions pa
JOIN post_action_types pat ON pat.id = pa.post_action_type_id
WHERE pat.is_flag
  AND pa.created_at >= :start_date
  AND pa.created_at < :end_date + INTERVAL '1 day'
GROUP BY pat.name_key
ORDER BY flags DESC
